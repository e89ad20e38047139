"""Who still has to report: per office the open measures and the contacts' state (pure).

Used by /offen, the weekly summary and the escalation after the due date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.render import texts
from bot.render.formatting import day
from storage.status import FieldState, OfficePerson, Snapshot


@dataclass(frozen=True)
class Outstanding:
    office: str
    codes: tuple[str, ...]
    contacts: tuple[OfficePerson, ...]

    @property
    def reachable(self) -> tuple[OfficePerson, ...]:
        """The contacts a reminder can reach today (not away, not blocking the bot)."""
        return tuple(p for p in self.contacts if p.absent_until is None and not p.unreachable)


def outstanding(
    snapshot: Snapshot,
    contacts: dict[str, tuple[OfficePerson, ...]],
    fields: Sequence[FieldState] | None = None,
) -> list[Outstanding]:
    """Per office, the measures (of ``fields``, default all) it has not reported in the
    current round, in the order offices first appear in the plan."""
    measures = [m for f in (snapshot.fields if fields is None else fields) for m in f.measures()]
    missing: dict[str, list[str]] = defaultdict(list)
    for measure in measures:
        for office in measure.offices:
            if office not in measure.reported_in_round:
                missing[office].append(measure.code)
    order: dict[str, int] = {}
    for office in (o for m in snapshot.measures() for o in m.offices):
        order.setdefault(office, len(order))
    return [
        Outstanding(office, tuple(codes), contacts.get(office, ()))
        for office, codes in sorted(missing.items(), key=lambda item: order[item[0]])
    ]


def person_label(person: OfficePerson) -> str:
    """A contact's name with what keeps a reminder from them (raw, unescaped)."""
    label = person.name
    if person.absent_until is not None:
        label += texts.ABSENT_MARK.format(day=day(person.absent_until))
    if person.unreachable:
        label += texts.BLOCKED_MARK
    return label


def outstanding_view(
    snapshot: Snapshot,
    contacts: dict[str, tuple[OfficePerson, ...]],
    field: FieldState | None = None,
) -> str:
    """/offen: the round's open measures per office, with the contacts and their state."""
    if snapshot.round is None:
        return texts.NO_ROUND_OUTSTANDING
    entries = outstanding(snapshot, contacts, None if field is None else [field])
    head = texts.fill(texts.OUTSTANDING_HEAD, due=day(snapshot.round.due_on))
    if field is not None:
        head += texts.fill(texts.OUTSTANDING_IN_FIELD, numeral=field.numeral, title=field.title)
    lines = [head]
    if not entries:
        return "\n".join([*lines, "", texts.OUTSTANDING_NONE])
    for entry in entries:
        lines += [
            "",
            texts.fill(texts.OUTSTANDING_OFFICE, office=entry.office, codes=", ".join(entry.codes)),
        ]
        if entry.contacts:
            lines.append(
                texts.fill(
                    texts.OUTSTANDING_CONTACTS,
                    label=texts.plural(len(entry.contacts), "Ansprechperson", "Ansprechpersonen"),
                    names=texts.join_names([person_label(p) for p in entry.contacts]),
                )
            )
        else:
            lines.append(texts.OUTSTANDING_NOBODY)
    if any(entry.reachable for entry in entries):
        lines += ["", texts.OUTSTANDING_REMIND_HINT]
    return "\n".join(lines)
