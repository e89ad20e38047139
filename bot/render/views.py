"""Pure renderings of the plan's state for Telegram: data in, HTML text out.

Every value from the catalogue or from people is escaped through ``texts.fill``; long
results are split by the sender (``bot.render.formatting.split_text``) between lines.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from zoneinfo import ZoneInfo

from bot.render import texts
from bot.render.evidence import CAPTION_LIMIT, evidence_name, file_size
from bot.render.formatting import (
    MESSAGE_LIMIT,
    author_text,
    day,
    horizon_label,
    html,
    join_blocks,
    obstacles_text,
)
from storage.answers import Answer, Versions, by_round_and_office, by_version
from storage.evidence import EvidenceItem
from storage.models import Status
from storage.status import (
    FieldState,
    GoalState,
    MeasureState,
    Snapshot,
    TargetState,
    canonical_code,
)

TITLE_LIMIT = 90
KEYWORD_LETTERS = 4  # a word searched for needs this many letters ("und" would find all)
CHOICES_SHOWN = 10  # measures offered as buttons when a word is found in several
HISTORY_ROUNDS = 24  # newest rounds shown by /verlauf; the export has them all
_WORD_EDGES = ".,;:!?\"'„“”«»‚‘’()[]"


def shorten(text: str, limit: int = TITLE_LIMIT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def horizon(terms: str) -> str:
    return horizon_label([texts.TERM_LABELS[term] for term in terms.split("+")])


def status_text(status: Status | None) -> str:
    return texts.STATUS_LABELS[status] if status else texts.NO_REPORT_MARK


# --- lookups ---------------------------------------------------------------------------------


def is_code(query: str) -> bool:
    """Whether ``query`` is a goal's or measure's code as people type it ("5.1.2", "V.1.2.")."""
    return canonical_code(query) is not None


def _folded(text: str) -> str:
    """For comparing: one space between words, case folded (so "ß" matches "ss")."""
    return " ".join(text.split()).casefold()


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


def office_candidates(query: str, offices: Iterable[str]) -> list[str]:
    """The offices whose name begins with ``query`` (any case)."""
    wanted = _folded(query)
    return [office for office in offices if wanted and _folded(office).startswith(wanted)]


def find_office(query: str, offices: Iterable[str]) -> str | None:
    """An office by its name in any case ("amt für soziale leistungen") or a unique
    beginning of it ("Amt für soz"); None if unknown or ambiguous."""
    names = list(offices)
    wanted = _folded(query)
    exact = [office for office in names if wanted and _folded(office) == wanted]
    if exact:
        return exact[0]
    starting = office_candidates(query, names)
    return starting[0] if len(starting) == 1 else None


def find_measures(query: str, measures: Iterable[MeasureState]) -> list[MeasureState]:
    """The measures whose title or success indicator holds every word of ``query``, also
    inside longer words ("Therapie" finds "Traumatherapie"), in any case; none for a query
    without a word of at least :data:`KEYWORD_LETTERS` letters."""
    words = [word.strip(_WORD_EDGES) for word in _folded(query).split()]
    words = [word for word in words if word]
    if not words or max(len(word) for word in words) < KEYWORD_LETTERS:
        return []
    return [
        measure
        for measure in measures
        if all(word in _folded(f"{measure.title} {measure.indicator}") for word in words)
    ]


def field_choices(query: str, fields: Sequence[FieldState], offices: Sequence[str] = ()) -> str:
    """Unknown or ambiguous: the fields (and the offices whose names begin so) to choose."""
    lines = [texts.fill(texts.FIELD_CHOICES, query=query)]
    lines += [texts.fill(texts.FIELD_CHOICE, numeral=f.numeral, title=f.title) for f in fields]
    lines += [texts.fill(texts.FIELD_CHOICE_OFFICE, office=office) for office in offices]
    lines += ["", texts.LOOKUP_HINT]
    return "\n".join(lines)


def measure_choices(head: str, measures: Sequence[MeasureState]) -> tuple[str, list[MeasureState]]:
    """Several measures to choose from: the text (``head``, already HTML, then a line per
    measure) and the measures to offer buttons for (at most :data:`CHOICES_SHOWN`)."""
    shown = list(measures[:CHOICES_SHOWN])
    lines = [head]
    lines += [
        texts.fill(texts.MEASURE_CHOICE, code=m.code, title=shorten(m.title, 70)) for m in shown
    ]
    if len(measures) > len(shown):
        lines.append(texts.fill(texts.MEASURE_CHOICES_MORE, count=len(measures) - len(shown)))
    return "\n".join(lines), shown


def choice_label(measure: MeasureState) -> str:
    """A measure's button: code and the beginning of its title (plain text)."""
    return texts.MEASURE_CHOICE_BUTTON.format(code=measure.code, title=shorten(measure.title, 36))


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


def parts(measures: Sequence[MeasureState], offices: Collection[str] | None) -> tuple[int, int]:
    """(reported, all) parts of the round: a part is a measure for one responsible office,
    of ``offices`` only where given (what a contact reports for)."""
    pairs = [
        (office, m)
        for m in measures
        for office in m.offices
        if offices is None or office in offices
    ]
    return sum(office in m.reported_in_round for office, m in pairs), len(pairs)


def overview(snapshot: Snapshot, offices: Collection[str] | None = None) -> str:
    """One line per field of action: targets per status, and how many parts (measure and
    office) are reported this round; for a contact, their own offices' parts."""
    lines = [texts.OVERVIEW_HEAD, round_line(snapshot), ""]
    for field in snapshot.fields:
        reported, total = parts(field.measures(), offices)
        lines.append(
            texts.fill(
                texts.OVERVIEW_OWN_LINE if offices is not None else texts.OVERVIEW_LINE,
                numeral=field.numeral,
                title=field.title,
                counts=counts_text(status_counts(field.targets())),
                reported=reported,
                total=total,
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


def _entered(report: Answer) -> str:
    """' · erfasst von NAME' where a coordinator entered the report for the office."""
    if not report.on_behalf:
        return ""
    return texts.ENTERED_MARK.format(name=report.author or texts.FORMER_CONTACT)


def report_state(measure: MeasureState, report: Answer, zone: ZoneInfo, with_office: bool) -> str:
    template = texts.REPORT_STATE if with_office else texts.REPORT_STATE_SHORT
    return texts.fill(
        template,
        status=status_text(report.status),
        marks=_marks(report) + _entered(report),
        office=report.office,
        day=day(report.submitted_at, zone),
        stale="" if measure.is_current(report) else " " + texts.STALE_MARK,
    )


def target_lines(measure: MeasureState, target: TargetState, zone: ZoneInfo) -> list[str]:
    """A target's state; every line names the office it is about, also without a report.

    ``state`` is HTML already (made by ``fill``): it goes in without escaping it twice.
    """
    label = horizon(target.terms)
    if len(measure.offices) == 1:
        state = (
            report_state(measure, target.reports[0], zone, True)
            if target.reports
            else texts.fill(texts.NO_REPORT_OFFICE, office=measure.offices[0])
        )
        return [texts.TARGET_LINE.format(horizon=html(label), state=state)]
    status = status_text(target.overall)
    if target.reports:
        based = texts.fill(texts.BASED_ON, based=len(target.reports), offices=len(measure.offices))
        status += based.replace(" (", " (gesamt, ", 1)
    else:
        status += texts.OVERALL_MARK
    lines = [texts.TARGET_OVERALL.format(horizon=html(label), status=status)]
    by_office = {r.office: r for r in target.reports}
    for office in measure.offices:
        report = by_office.get(office)
        state = report_state(measure, report, zone, False) if report else texts.NO_REPORT_MARK
        lines.append(texts.OFFICE_LINE.format(office=html(office), state=state))
    return lines


def based_on(measure: MeasureState) -> str:
    """' (aus 1 von 5 Ämtern)' after the overall status of a measure with several offices."""
    if len(measure.offices) < 2:
        return ""
    reporting = {r.office for t in measure.targets for r in t.reports}
    if not reporting:
        return ""
    return texts.fill(texts.BASED_ON, based=len(reporting), offices=len(measure.offices))


def field_view(field: FieldState, snapshot: Snapshot, zone: ZoneInfo) -> str:
    lines = [
        texts.fill(texts.FIELD_HEAD, numeral=field.numeral, title=field.title),
        round_line(snapshot),
    ]
    for goal in field.goals:
        lines += ["", texts.fill(texts.GOAL_LINE, code=goal.code, title=shorten(goal.title))]
        for measure in goal.measures:
            line = texts.fill(texts.MEASURE_LINE, code=measure.code, title=shorten(measure.title))
            if len(measure.offices) > 1:
                reported, total = parts([measure], None)
                line += texts.fill(texts.MEASURE_PARTS, reported=reported, total=total)
            lines.append(line)
            for target in measure.targets:
                lines += target_lines(measure, target, zone)
    lines += ["", texts.VIEW_LEGEND]
    return "\n".join(lines)


# --- an office ------------------------------------------------------------------------------


def office_view(office: str, snapshot: Snapshot, zone: ZoneInfo) -> str:
    """The measures ``office`` is responsible for (as far as ``snapshot`` shows them), each
    target with this office's own latest report; counted are this office's parts."""
    measures = [m for m in snapshot.measures() if office in m.offices]
    if not measures:
        return texts.fill(texts.OFFICE_NOT_YOURS, office=office)
    count = texts.fill(
        texts.OFFICE_COUNT,
        count=len(measures),
        measure_word=texts.plural(len(measures), "Maßnahme", "Maßnahmen"),
    )
    if snapshot.round is not None:
        count += texts.fill(
            texts.OFFICE_REPORTED,
            reported=sum(office in m.reported_in_round for m in measures),
            count=len(measures),
        )
    lines = [texts.fill(texts.OFFICE_HEAD, office=office), round_line(snapshot), count]
    for measure in measures:
        others = len(measure.offices) - 1
        shared = (
            texts.OFFICE_SHARED.format(
                count=others, word=texts.plural(others, texts.OFFICE_OTHER, texts.OFFICE_OTHERS)
            )
            if others
            else ""
        )
        lines += [
            "",
            texts.fill(
                texts.OFFICE_MEASURE, code=measure.code, title=shorten(measure.title), shared=shared
            ),
        ]
        for target in measure.targets:
            report = next((r for r in target.reports if r.office == office), None)
            state = report_state(measure, report, zone, False) if report else texts.NO_REPORT_MARK
            lines.append(texts.TARGET_LINE.format(horizon=html(horizon(target.terms)), state=state))
    lines += ["", texts.fill(texts.OFFICE_HINT, code=measures[0].code), texts.VIEW_LEGEND]
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


def detail_lines(answer: Answer, with_note: bool) -> list[str]:
    """What an answer says beside its status: the note, obstacles, a request for support."""
    lines = []
    if answer.note and with_note:
        lines.append(texts.fill(texts.DETAIL_NOTE, note=answer.note))
    obstacles = obstacles_text(answer.obstacles, answer.obstacle_note)
    if obstacles:
        lines.append(texts.fill(texts.DETAIL_OBSTACLE, obstacle=obstacles))
    if answer.support_requested:
        note = f": {answer.support_note}" if answer.support_note else ""
        lines.append(texts.fill(texts.DETAIL_SUPPORT, note=note))
    return lines


def measure_view(
    measure: MeasureState, history: Sequence[Answer], zone: ZoneInfo, recent: int = 5
) -> str:
    lines = [
        texts.fill(texts.MEASURE_HEAD, code=measure.code, status=status_text(measure.overall))
        + based_on(measure),
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
            lines.append(texts.OFFICE_LINE.format(office=html(office), state=state))
            if report is not None:
                lines += detail_lines(report, with_note=True)
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
                    author=author_text(
                        first.author, first.office, first.on_behalf, texts.FORMER_CONTACT
                    ),
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


# --- history --------------------------------------------------------------------------------------


def history_view(
    measure: MeasureState,
    history: Sequence[Answer],
    evidence: Sequence[EvidenceItem],
    zone: ZoneInfo,
    rounds: int = HISTORY_ROUNDS,
    limit: int = MESSAGE_LIMIT,
) -> list[str]:
    """/verlauf: per round (oldest first) and office, every submitted version with its
    author, the status of each target with notes, obstacles and requests for support, the
    numbers for the indicator and the files sent with it; a correction is a version of its
    own. Only the newest ``rounds`` rounds; as messages of at most ``limit`` characters,
    each round whole in one message where it fits."""
    if not history:
        return [texts.fill(texts.HISTORY_EMPTY, code=measure.code)]
    per_round = by_round_and_office(history)
    files = _files_by_version(per_round, evidence)
    days = list(per_round)
    shown = days[-rounds:] if rounds > 0 else days
    head = [
        texts.fill(texts.HISTORY_HEAD, code=measure.code, title=shorten(measure.title)),
        texts.fill(texts.HISTORY_OFFICES, offices=texts.join_names(list(measure.offices))),
    ]
    if len(shown) < len(days):
        head.append(texts.fill(texts.HISTORY_OLDER, shown=len(shown), count=len(days) - len(shown)))
    rank = {office: number for number, office in enumerate(measure.offices)}
    blocks = ["\n".join(head)]
    for opens_on in shown:
        lines = [texts.fill(texts.HISTORY_ROUND, day=day(opens_on))]
        offices = per_round[opens_on]
        for office in sorted(offices, key=lambda name: (rank.get(name, len(rank)), name)):
            versions = offices[office]
            for number, version in enumerate(versions):
                lines += _version_lines(
                    version, number, len(versions), files.get(version[0].report_id, []), zone
                )
        blocks.append("\n".join(lines))
    return join_blocks(blocks, limit)


def _files_by_version(
    per_round: dict[date, dict[str, Versions]], evidence: Sequence[EvidenceItem]
) -> dict[int, list[EvidenceItem]]:
    """The files of each version (by report id), oldest first: a file belongs to the first
    version of its round and office submitted after it arrived."""
    found: dict[int, list[EvidenceItem]] = defaultdict(list)
    for item in sorted(evidence, key=lambda item: (item.received_at, item.id)):
        versions = per_round.get(item.round_opens_on, {}).get(item.office)
        if not versions:
            continue
        version = next((v for v in versions if v[0].submitted_at >= item.received_at), versions[-1])
        found[version[0].report_id].append(item)
    return found


def _version_lines(
    version: Sequence[Answer],
    number: int,
    count: int,
    files: Sequence[EvidenceItem],
    zone: ZoneInfo,
) -> list[str]:
    """One submitted version: who sent it when, then what it said (``number`` of ``count``
    versions of its office in its round, from 0)."""
    first = version[0]
    submitted = first.submitted_at.astimezone(zone)
    if count == 1:
        template = texts.HISTORY_VERSION
    else:
        template = texts.HISTORY_VERSION_FIRST if number == 0 else texts.HISTORY_VERSION_CORRECTED
    lines = [
        texts.fill(
            template,
            office=first.office,
            version=first.version,
            day=day(submitted),
            time=submitted.strftime("%H:%M"),
            author=author_text(first.author, first.office, first.on_behalf, texts.FORMER_CONTACT),
        )
    ]
    for answer in version:
        if answer.terms is None:
            continue  # a version without targets: only its numbers
        lines.append(
            texts.fill(
                texts.HISTORY_TARGET,
                horizon=horizon(answer.terms),
                status=texts.STATUS_LABELS[answer.status] if answer.status else "–",
                carried=texts.HISTORY_CARRIED if answer.carried_over else "",
            )
        )
        # a note carried over unchanged was shown in the earlier round already
        lines += detail_lines(answer, with_note=not answer.carried_over)
    if first.indicator_note:
        lines.append(texts.fill(texts.HISTORY_INDICATOR, note=first.indicator_note))
    lines += [
        texts.fill(
            texts.HISTORY_FILE,
            icon=texts.EVIDENCE_ICONS[item.kind.value],
            name=evidence_name(item.kind, item.file_name),
            size=(
                texts.EVIDENCE_LINE_SIZE.format(size=file_size(item.file_size))
                if item.file_size is not None
                else ""
            ),
            caption=(
                texts.EVIDENCE_LINE_CAPTION.format(caption=shorten(item.caption, CAPTION_LIMIT))
                if item.caption and item.caption.strip()
                else ""
            ),
        )
        for item in files
    ]
    return lines
