"""Pure renderings of the plan's state for Telegram: data in, HTML text out.

Every value from the catalogue or from people is escaped through ``texts.fill``; long
results are split by the sender (``bot.render.formatting.split_text``) between lines.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.render import texts
from bot.render.formatting import day, horizon_label, obstacles_text
from storage.answers import Answer, by_version
from storage.models import Status
from storage.status import (
    FieldState,
    GoalState,
    MeasureState,
    OfficePerson,
    Snapshot,
    TargetState,
    most_critical,
)

CODE = re.compile(r"^[IVXLC]+\.\d+(\.\d+)?$", re.IGNORECASE)
TITLE_LIMIT = 90


def shorten(text: str, limit: int = TITLE_LIMIT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def horizon(terms: str) -> str:
    return horizon_label([texts.TERM_LABELS[term] for term in terms.split("+")])


def status_text(status: Status | None) -> str:
    return texts.STATUS_LABELS[status] if status else texts.NO_REPORT_MARK


# --- lookups ---------------------------------------------------------------------------------


def is_code(query: str) -> bool:
    return bool(CODE.match(query.strip()))


def find_field(query: str, fields: Sequence[FieldState]) -> FieldState | None:
    """A field by numeral ("V"), number ("5"), name in any case, unique beginning of its
    name ("Zivil") or despite a small typo ("Gesundhiet"); None if unknown or ambiguous."""
    wanted = " ".join(query.split()).casefold()
    if not wanted:
        return None
    for number, candidate in enumerate(fields, start=1):
        if wanted in (candidate.numeral.casefold(), str(number)):
            return candidate
    titles = {f.title.casefold(): f for f in fields}
    for matches in (
        [f for t, f in titles.items() if t == wanted],
        [f for t, f in titles.items() if t.startswith(wanted)],
        [f for t, f in titles.items() if len(wanted) > 3 and wanted in t.split()],
    ):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            return None
    close = difflib.get_close_matches(wanted, list(titles), n=2, cutoff=0.8)
    words = {w: f for t, f in titles.items() for w in t.split() if len(w) > 3}
    close_words = difflib.get_close_matches(wanted, list(words), n=2, cutoff=0.8)
    candidates = {id(titles[c]): titles[c] for c in close} | {
        id(words[w]): words[w] for w in close_words
    }
    return next(iter(candidates.values())) if len(candidates) == 1 else None


def field_choices(query: str, fields: Sequence[FieldState]) -> str:
    lines = [texts.fill(texts.FIELD_CHOICES, query=query)]
    lines += [texts.fill(texts.FIELD_CHOICE, numeral=f.numeral, title=f.title) for f in fields]
    return "\n".join(lines)


# --- overview --------------------------------------------------------------------------------


def status_counts(targets: Sequence[TargetState]) -> Counter[Status]:
    return Counter(t.overall for t in targets if t.overall is not None)


def counts_text(counts: Counter[Status]) -> str:
    shown = [s for s in Status if s is not Status.DROPPED or counts[s]]
    return " ".join(f"{texts.STATUS_EMOJI[s]}{counts[s]}" for s in shown)


def round_line(snapshot: Snapshot) -> str:
    if snapshot.round is None:
        return texts.NO_ROUND_LINE
    return texts.fill(
        texts.ROUND_LINE, opens=day(snapshot.round.opens_on), due=day(snapshot.round.due_on)
    )


def overview(snapshot: Snapshot) -> str:
    """One line per field of action: targets per status, measures reported this round."""
    lines = [texts.OVERVIEW_HEAD, round_line(snapshot), ""]
    for field in snapshot.fields:
        measures = field.measures()
        lines.append(
            texts.fill(
                texts.OVERVIEW_LINE,
                numeral=field.numeral,
                title=field.title,
                counts=counts_text(status_counts(field.targets())),
                reported=sum(m.reported for m in measures),
                total=len(measures),
            )
        )
    lines += ["", texts.OVERVIEW_HINT]
    return "\n".join(lines)


# --- a field ---------------------------------------------------------------------------------


def _marks(report: Answer) -> str:
    marks = ""
    if report.obstacles or report.obstacle_note:
        marks += " " + texts.OBSTACLE_MARK
    if report.support_requested:
        marks += " " + texts.SUPPORT_MARK
    return marks


def report_state(measure: MeasureState, report: Answer, zone: ZoneInfo, with_office: bool) -> str:
    template = texts.REPORT_STATE if with_office else texts.REPORT_STATE_SHORT
    return texts.fill(
        template,
        status=status_text(report.status),
        marks=_marks(report),
        office=report.office,
        day=day(report.submitted_at, zone),
        stale="" if measure.is_current(report) else " " + texts.STALE_MARK,
    )


def target_lines(measure: MeasureState, target: TargetState, zone: ZoneInfo) -> list[str]:
    label = horizon(target.terms)
    if len(measure.offices) == 1:
        state = (
            report_state(measure, target.reports[0], zone, True)
            if target.reports
            else texts.NO_REPORT_MARK
        )
        return [texts.fill(texts.TARGET_LINE, horizon=label, state=state)]
    lines = [texts.fill(texts.TARGET_OVERALL, horizon=label, status=status_text(target.overall))]
    by_office = {r.office: r for r in target.reports}
    for office in measure.offices:
        report = by_office.get(office)
        state = report_state(measure, report, zone, False) if report else texts.NO_REPORT_MARK
        lines.append(texts.fill(texts.OFFICE_LINE, office=office, state=state))
    return lines


def field_view(field: FieldState, snapshot: Snapshot, zone: ZoneInfo) -> str:
    lines = [
        texts.fill(texts.FIELD_HEAD, numeral=field.numeral, title=field.title),
        round_line(snapshot),
    ]
    for goal in field.goals:
        lines += ["", texts.fill(texts.GOAL_LINE, code=goal.code, title=shorten(goal.title))]
        for measure in goal.measures:
            mark = texts.STATUS_EMOJI[measure.overall] if measure.overall else ""
            lines.append(
                texts.fill(
                    texts.MEASURE_LINE, code=measure.code, title=shorten(measure.title), mark=mark
                )
            )
            for target in measure.targets:
                lines += target_lines(measure, target, zone)
    lines += ["", texts.VIEW_LEGEND]
    return "\n".join(lines)


# --- one measure or goal ---------------------------------------------------------------------


def _version_states(version: Sequence[Answer]) -> str:
    return ", ".join(
        texts.fill(
            texts.HISTORY_STATE,
            horizon=horizon(answer.terms),
            status=texts.STATUS_EMOJI[answer.status] if answer.status else "–",
        )
        for answer in version
        if answer.terms is not None
    )


def measure_view(
    measure: MeasureState, history: Sequence[Answer], zone: ZoneInfo, recent: int = 5
) -> str:
    lines = [
        texts.fill(texts.MEASURE_HEAD, code=measure.code, status=status_text(measure.overall)),
        texts.fill(
            texts.MEASURE_DETAIL,
            title=measure.title,
            indicator=measure.indicator,
            offices=texts.join_names(list(measure.offices)),
        ),
    ]
    for target in measure.targets:
        lines += [
            "",
            texts.fill(texts.TARGET_DETAIL, horizon=horizon(target.terms), target=target.target),
        ]
        by_office = {r.office: r for r in target.reports}
        for office in measure.offices:
            report = by_office.get(office)
            state = report_state(measure, report, zone, False) if report else texts.NO_REPORT_MARK
            lines.append(texts.fill(texts.OFFICE_LINE, office=office, state=state))
            if report is None:
                continue
            if report.note:
                lines.append(texts.fill(texts.DETAIL_NOTE, note=report.note))
            obstacles = obstacles_text(report.obstacles, report.obstacle_note)
            if obstacles:
                lines.append(texts.fill(texts.DETAIL_OBSTACLE, obstacle=obstacles))
            if report.support_requested:
                note = f": {report.support_note}" if report.support_note else ""
                lines.append(texts.fill(texts.DETAIL_SUPPORT, note=note))
    if measure.indicator_notes:
        lines += ["", texts.INDICATOR_NOTES]
        lines += [
            texts.fill(texts.INDICATOR_NOTE, office=office, note=note)
            for office, note in measure.indicator_notes
        ]
    if history:
        lines += ["", texts.RECENT_REPORTS]
        for version in list(by_version(history))[-recent:][::-1]:
            first = version[0]
            lines.append(
                texts.fill(
                    texts.RECENT_REPORT,
                    day=day(first.submitted_at, zone),
                    office=first.office,
                    version=first.version,
                    author=first.author or texts.FORMER_CONTACT,
                    states=_version_states(version),
                )
            )
    lines += ["", texts.VIEW_LEGEND]
    return "\n".join(lines)


def goal_view(field: FieldState, goal: GoalState) -> str:
    lines = [
        texts.fill(
            texts.GOAL_HEAD,
            code=goal.code,
            field=f"{field.numeral} {field.title}",
            title=goal.title,
        )
    ]
    for measure in goal.measures:
        lines.append(
            texts.fill(
                texts.GOAL_MEASURE,
                code=measure.code,
                status=status_text(measure.overall),
                reported=texts.REPORTED_YES if measure.reported else texts.REPORTED_NO,
                title=shorten(measure.title, 70),
            )
        )
    return "\n".join(lines)


# --- outstanding and history -----------------------------------------------------------------


@dataclass(frozen=True)
class Outstanding:
    office: str
    codes: tuple[str, ...]
    contacts: tuple[OfficePerson, ...]


def outstanding(
    snapshot: Snapshot, contacts: dict[str, tuple[OfficePerson, ...]]
) -> list[Outstanding]:
    """Per office, the measures it has not reported in the current round."""
    missing: dict[str, list[str]] = defaultdict(list)
    for measure in snapshot.measures():
        for office in measure.offices:
            if office not in measure.reported_in_round:
                missing[office].append(measure.code)
    order: dict[str, int] = {}
    for office in (o for m in snapshot.measures() for o in m.offices):
        order.setdefault(office, len(order))  # in the order offices first appear in the plan
    return [
        Outstanding(office, tuple(codes), contacts.get(office, ()))
        for office, codes in sorted(missing.items(), key=lambda item: order[item[0]])
    ]


def person_label(person: OfficePerson) -> str:
    """A contact's name, with their absence while it lasts (raw, unescaped)."""
    if person.absent_until is None:
        return person.name
    return person.name + texts.ABSENT_MARK.format(day=day(person.absent_until))


def outstanding_view(snapshot: Snapshot, contacts: dict[str, tuple[OfficePerson, ...]]) -> str:
    if snapshot.round is None:
        return texts.NO_ROUND_OUTSTANDING
    entries = outstanding(snapshot, contacts)
    lines = [texts.fill(texts.OUTSTANDING_HEAD, due=day(snapshot.round.due_on))]
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
    return "\n".join(lines)


def history_view(measure: MeasureState, history: Sequence[Answer]) -> str:
    """Per round, each target's status (the most critical of the offices' last versions)."""
    if not history:
        return texts.fill(texts.HISTORY_EMPTY, code=measure.code)
    per_round: dict[date, dict[str, tuple[Answer, ...]]] = defaultdict(dict)
    for version in by_version(history):  # oldest first: later versions replace earlier ones
        per_round[version[0].round_opens_on][version[0].office] = version
    lines = [texts.fill(texts.HISTORY_HEAD, code=measure.code, title=shorten(measure.title))]
    for opens_on in sorted(per_round):
        statuses: dict[str | None, list[Status | None]] = defaultdict(list)
        for version in per_round[opens_on].values():
            for answer in version:
                statuses[answer.terms].append(answer.status)
        states = " · ".join(
            texts.fill(
                texts.HISTORY_STATE,
                horizon=horizon(target.terms),
                status=texts.STATUS_EMOJI.get(most_critical(statuses[target.terms]) or "", "–"),
            )
            for target in measure.targets
        )
        # the parts are escaped already: join them without escaping twice
        lines.append(texts.HISTORY_LINE.format(day=day(opens_on), states=states))
    return "\n".join(lines)
