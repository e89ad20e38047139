"""The plan as data: the pydantic schema of a catalogue file.

A catalogue describes one city's monitoring plan: fields of action, their goals, the
goals' measures with success indicator, horizon targets and responsible offices. The
bundled file is the plan of Mainz; another city can point ``CATALOGUE_PATH`` at its own.

Models are frozen: a loaded catalogue is a value, compared and rendered, never mutated.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

FIELD_NUMERAL = re.compile(r"^[IVXLC]+$")
GOAL_CODE = re.compile(r"^(?P<field>[IVXLC]+)\.(?P<number>[1-9][0-9]*)$")
MEASURE_CODE = re.compile(r"^(?P<goal>[IVXLC]+\.[1-9][0-9]*)\.(?P<number>[1-9][0-9]*)$")


class Term(StrEnum):
    """A planning horizon. Values are the spelling used in files and in the JSON export."""

    KURZ = "kurz"
    MITTEL = "mittel"
    LANG = "lang"


TERM_ORDER: dict[Term, int] = {Term.KURZ: 0, Term.MITTEL: 1, Term.LANG: 2}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HorizonDefinition(_Frozen):
    """What a term means, from the plan's last page."""

    label: NonEmptyText
    description: NonEmptyText


class HorizonTarget(_Frozen):
    """One horizon entry of a measure: the term(s) it covers and its target text."""

    terms: tuple[Term, ...] = Field(min_length=1)
    target: NonEmptyText

    @model_validator(mode="after")
    def _terms_distinct_and_ordered(self) -> HorizonTarget:
        if len(set(self.terms)) != len(self.terms):
            raise ValueError("ein Zeithorizont nennt denselben Begriff zweimal")
        if list(self.terms) != sorted(self.terms, key=TERM_ORDER.__getitem__):
            raise ValueError(
                "die Begriffe eines Zeithorizonts stehen in der Reihenfolge kurz, mittel, lang"
            )
        return self

    @property
    def key(self) -> str:
        """Stable identity within its measure, e.g. ``mittel+lang``."""
        return "+".join(self.terms)


class Measure(_Frozen):
    code: NonEmptyText
    title: NonEmptyText
    indicator: NonEmptyText
    horizons: tuple[HorizonTarget, ...] = Field(min_length=1)
    offices: tuple[NonEmptyText, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Measure:
        if not MEASURE_CODE.match(self.code):
            raise ValueError(f"Maßnahmen-Code {self.code!r} hat nicht die Form 'V.1.2'")
        seen: set[Term] = set()
        for horizon in self.horizons:
            twice = seen.intersection(horizon.terms)
            if twice:
                raise ValueError(
                    f"Maßnahme {self.code}: Begriff {sorted(twice)[0]!r} steht in mehreren Zeithorizonten"
                )
            seen.update(horizon.terms)
        if len(set(self.offices)) != len(self.offices):
            raise ValueError(f"Maßnahme {self.code}: ein Amt ist doppelt genannt")
        return self


class Goal(_Frozen):
    code: NonEmptyText
    title: NonEmptyText
    measures: tuple[Measure, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Goal:
        if not GOAL_CODE.match(self.code):
            raise ValueError(f"Ziel-Code {self.code!r} hat nicht die Form 'V.1'")
        for measure in self.measures:
            if not measure.code.startswith(self.code + "."):
                raise ValueError(
                    f"Maßnahme {measure.code} gehört nach ihrem Code nicht zum Ziel {self.code}"
                )
        return self


class FieldOfAction(_Frozen):
    numeral: NonEmptyText
    title: NonEmptyText
    summary: NonEmptyText
    goals: tuple[Goal, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> FieldOfAction:
        if not FIELD_NUMERAL.match(self.numeral):
            raise ValueError(f"Handlungsfeld-Nummer {self.numeral!r} ist keine römische Zahl")
        for goal in self.goals:
            if not goal.code.startswith(self.numeral + "."):
                raise ValueError(
                    f"Ziel {goal.code} gehört nach seinem Code nicht zum Handlungsfeld {self.numeral}"
                )
        return self


class Catalogue(_Frozen):
    """A whole plan. Validation guarantees unique codes and known offices."""

    name: NonEmptyText
    # The city whose plan it is, as the bot names it ("Bot der Stadt Mainz"); optional.
    city: NonEmptyText | None = None
    horizons: dict[Term, HorizonDefinition]
    offices: tuple[NonEmptyText, ...] = Field(min_length=1)
    fields: tuple[FieldOfAction, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Catalogue:
        missing = [term.value for term in Term if term not in self.horizons]
        if missing:
            raise ValueError(f"horizons: Definition fehlt für {', '.join(missing)}")
        _require_unique("Amt", [(f"offices[{i}]", name) for i, name in enumerate(self.offices)])
        fields = [(f"fields[{i}]", field) for i, field in enumerate(self.fields)]
        goals = [
            (f"{path}.goals[{j}]", goal)
            for path, field in fields
            for j, goal in enumerate(field.goals)
        ]
        measures = [
            (f"{path}.measures[{k}]", measure)
            for path, goal in goals
            for k, measure in enumerate(goal.measures)
        ]
        _require_unique("Handlungsfeld", [(f"{p}.numeral", f.numeral) for p, f in fields])
        _require_unique("Ziel-Code", [(f"{p}.code", g.code) for p, g in goals])
        _require_unique("Maßnahmen-Code", [(f"{p}.code", m.code) for p, m in measures])
        known = set(self.offices)
        used: set[str] = set()
        for path, measure in measures:
            for i, office in enumerate(measure.offices):
                if office not in known:
                    raise ValueError(
                        f"{path}.offices[{i}]: Amt {office!r} steht nicht in der Liste 'offices'"
                    )
                used.add(office)
        for i, office in enumerate(self.offices):
            if office not in used:
                raise ValueError(f"offices[{i}]: Amt {office!r} ist für keine Maßnahme zuständig")
        return self

    def goals(self) -> list[Goal]:
        return [goal for field in self.fields for goal in field.goals]

    def measures(self) -> list[Measure]:
        return [measure for goal in self.goals() for measure in goal.measures]

    def horizon_targets(self) -> list[HorizonTarget]:
        return [horizon for measure in self.measures() for horizon in measure.horizons]


def _require_unique(what: str, located: list[tuple[str, str]]) -> None:
    first_seen: dict[str, str] = {}
    for path, value in located:
        if value in first_seen:
            raise ValueError(
                f"{path}: {what} {value!r} kommt doppelt vor (zuerst in {first_seen[value]})"
            )
        first_seen[value] = path
