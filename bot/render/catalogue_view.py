"""Pure renderings of a catalogue: the JSON shape other tools read, and a readable tree."""

from __future__ import annotations

import textwrap
from typing import Any

from bot.render.formatting import horizon_label
from seed.schema import Catalogue, HorizonTarget


def catalogue_json(catalogue: Catalogue) -> dict[str, Any]:
    """The documented export shape: fields → goals → measures, and the list of offices."""
    return {
        "fields": [
            {
                "numeral": field.numeral,
                "title": field.title,
                "summary": field.summary,
                "goals": [
                    {
                        "code": goal.code,
                        "title": goal.title,
                        "measures": [
                            {
                                "code": measure.code,
                                "title": measure.title,
                                "indicator": measure.indicator,
                                "horizons": [
                                    {"terms": [term.value for term in h.terms], "target": h.target}
                                    for h in measure.horizons
                                ],
                                "offices": list(measure.offices),
                            }
                            for measure in goal.measures
                        ],
                    }
                    for goal in field.goals
                ],
            }
            for field in catalogue.fields
        ],
        "offices": list(catalogue.offices),
    }


def catalogue_horizon_label(catalogue: Catalogue, horizon: HorizonTarget) -> str:
    """'Kurzfristig' or 'Mittel- und langfristig', built from the catalogue's labels."""
    return horizon_label([catalogue.horizons[term].label for term in horizon.terms])


def catalogue_tree(catalogue: Catalogue, width: int = 100) -> str:
    """The plan as an indented plain-text tree, for reading in a terminal."""
    lines = [catalogue.name, ""]

    def block(indent: int, text: str, label: str = "") -> None:
        prefix = " " * indent
        first = prefix + (f"{label}: " if label else "")
        follow = prefix + "  "
        for number, paragraph in enumerate(text.splitlines()):
            lines.extend(
                textwrap.wrap(
                    paragraph,
                    width=width,
                    initial_indent=first if number == 0 else follow,
                    subsequent_indent=follow,
                )
            )

    for field in catalogue.fields:
        lines.append(f"{field.numeral} {field.title}")
        for goal in field.goals:
            block(2, goal.title, f"Ziel {goal.code}")
            for measure in goal.measures:
                block(4, measure.title, f"Maßnahme {measure.code}")
                block(6, measure.indicator, "Erfolgsindikator")
                for horizon in measure.horizons:
                    block(6, horizon.target, catalogue_horizon_label(catalogue, horizon))
                block(6, "; ".join(measure.offices), "Zuständig")
        lines.append("")
    lines.append(f"Ämter ({len(catalogue.offices)}):")
    lines.extend(f"  - {office}" for office in catalogue.offices)
    return "\n".join(lines)
