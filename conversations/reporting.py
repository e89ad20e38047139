"""The reporting dialogue: /bericht, its buttons and free-text answers, /zurueck, /abbrechen.

Nothing is remembered between updates. Each update loads the person's current draft, works
out the current question from the stored answers (:mod:`conversations.report_questions`),
checks that a pressed button answers exactly that question, stores the answer and asks the
next one. A button that no longer matches gets "Diese Frage ist nicht mehr aktuell."
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import filters

from bot.render import texts
from bot.render.evidence import evidence_name, file_size
from bot.render.formatting import day, horizon_label, obstacles_text
from conversations import report_answers
from conversations.access import Audience
from conversations.evidence import DOWNLOAD_LIMIT, describe_file, keep_file
from conversations.framework import Buttons, Reply, Request, Router, claim_and_keep_notices
from conversations.payloads import (
    AbsentUntil,
    AnswerChoice,
    ChangeAnswer,
    NextItem,
    Pause,
    Payload,
    ReportFor,
    ReportNow,
    Review,
    ReviewAction,
    Snooze,
    StartItem,
    day_from_number,
    day_number,
)
from conversations.report_questions import (
    TEXT_LIMIT,
    Kind,
    Question,
    changeable,
    current_question,
    previous_question,
    stored_value,
)
from conversations.support import submitted_requests
from storage.catalogue_read import term_meanings
from storage.evidence import EvidenceItem, add_evidence, report_evidence
from storage.models import (
    Contact,
    HorizonTarget,
    Measure,
    Obstacle,
    Office,
    Report,
    ReportingRound,
    Role,
    Status,
    TargetAnswer,
)
from storage.people import active_contacts, active_offices, reachable_contacts
from storage.reporting import (
    PreviousReport,
    WorkItem,
    current_draft,
    current_round,
    draft_by_id,
    item_for,
    latest_submitted,
    office_items,
    open_items,
    open_office_items,
    previous_answers,
    running_round,
    start_draft,
    submit,
    submitted_items,
    work_items,
    work_items_of,
)
from storage.status import contacts_by_office

router = Router()

# After this long without an answer (or from one day to the next) a draft is asleep: typed
# text is not taken as an answer until the person resumes, as after /abbrechen. A reply
# typed minutes later still counts; "ok danke, mache ich morgen" the next day does not.
IDLE = timedelta(hours=3)

OPENING = "eroeffnung"  # the notice kind of a round's opening message
SKIP_VALUE = "skip"  # skipped, or (for an answer being changed) "Entfernen"
UNCHANGED_VALUE = "same"
KEEP_VALUE = "keep"  # "Beibehalten": the answer being changed stays
ALL_UNCHANGED_VALUE = "all"  # "Alles unverändert": the whole measure as last time, sent
# obstacle buttons carry a selection as a bit mask: "x5" toggles to it, "d5" is "Fertig"
TOGGLE_PREFIX, DONE_PREFIX = "x", "d"
YES_VALUE, NO_VALUE = "y", "n"
CHANGE_LABELS = {
    Kind.STATUS: "Stand",
    Kind.NOTE: "Getan",
    Kind.OBSTACLE: "Hindernis",
    Kind.OBSTACLE_NOTE: "Sonstiges",
    Kind.SUPPORT: "Unterstützung",
    Kind.SUPPORT_NOTE: "Unterstützung (Text)",
}
INDICATOR_LABEL = "Zahlen/Belege"


@dataclass
class Draft:
    """A draft with what is needed to ask its questions."""

    report: Report
    item: WorkItem
    previous: PreviousReport  # the office's report of an earlier round
    several_offices: bool
    meanings: dict[str, str]  # what kurz, mittel and lang mean in this plan
    sent: Report | None  # the version already submitted in this round, if any
    evidence: list[EvidenceItem]  # files sent to this draft, newest first

    @property
    def code(self) -> str:
        return self.item.measure.code

    @property
    def answers(self) -> list[TargetAnswer]:
        order = {target.id: n for n, target in enumerate(self.item.targets)}
        known = [a for a in self.report.answers if a.horizon_target_id in order]
        return sorted(known, key=lambda a: order[a.horizon_target_id])

    @property
    def started(self) -> bool:
        """Whether anything is answered (a draft the bot opened for the next measure is not)."""
        return (
            self.report.indicator_note is not None
            or bool(self.evidence)
            or any(a.status is not None or a.note is not None for a in self.answers)
        )

    @property
    def all_unchanged_possible(self) -> bool:
        """Nothing answered yet, and the last report said something about every target."""
        previous = self.previous.answers
        return all(a.status is None for a in self.answers) and all(
            t.id in previous and previous[t.id].status is not None for t in self.item.targets
        )

    @property
    def editing(self) -> Question | None:
        """The question the person chose to answer again, if any."""
        return Question.parse(self.report.editing) if self.report.editing else None

    def current(self) -> Question:
        return current_question(self.answers, self.report.indicator_note, self.editing)

    def stored(self, question: Question) -> object:
        return stored_value(question, self.answers, self.report.indicator_note)

    def horizon(self, target_id: int | None) -> str:
        target = next(t for t in self.item.targets if t.id == target_id)
        return horizon_label([texts.TERM_LABELS[term] for term in target.terms.split("+")])


# --- loading and checking --------------------------------------------------------------------


async def round_now(request: Request) -> ReportingRound | None:
    """The round people report in: the current one, also after its due date (late reports
    are welcome), unless it was closed."""
    round_ = await current_round(request.session, request.today)
    return None if round_ is None or round_.closed_at is not None else round_


def member(request: Request) -> Contact:
    contact = request.active_contact
    assert contact is not None  # the router only lets members through
    return contact


async def load_draft(request: Request, report: Report) -> Draft | None:
    """The draft with its work item, if the person may still work on it."""
    contact = member(request)
    item = await item_for(request.session, contact, report.measure_id, report.office_id)
    if item is None:
        return None
    round_ = await request.session.get(ReportingRound, report.round_id)
    assert round_ is not None
    previous = await previous_answers(
        request.session,
        office_id=report.office_id,
        measure_id=report.measure_id,
        before=round_.opens_on,
    )
    meanings = await term_meanings(request.session)
    sent = await latest_submitted(request.session, round_.id, report.measure_id, report.office_id)
    evidence = await report_evidence(request.session, report.id)
    return Draft(report, item, previous, len(contact.offices) > 1, meanings, sent, evidence)


async def draft_from_button(request: Request, report_id: int) -> Draft | None:
    """The draft a button refers to, if it is still the person's open draft of this round."""
    report = await draft_by_id(request.session, report_id)
    round_ = await round_now(request)
    if (
        report is None
        or round_ is None
        or report.round_id != round_.id
        or report.author_id != member(request).id
        or report.submitted_at is not None
    ):
        return None
    return await load_draft(request, report)


async def running_draft(request: Request) -> Draft | None:
    """The draft the person worked on last in the current round, if any."""
    round_ = await round_now(request)
    if round_ is None:
        return None
    report = await current_draft(request.session, round_.id, member(request).id)
    return await load_draft(request, report) if report is not None else None


async def stale(request: Request) -> list[Reply]:
    """'Not current any more', and where to go on: the question the person is actually
    on, or else what is due as /bericht shows it (never a dead end with old buttons)."""
    replies = [Reply(texts.STALE_QUESTION)]
    draft = await running_draft(request)
    if draft is not None:
        replies.append(ask(draft, draft.current()))
    elif await round_now(request) is not None:
        replies.extend(await begin(request))
    return replies


# --- rendering questions ---------------------------------------------------------------------


def _rows(
    pairs: Sequence[tuple[str, AnswerChoice]], width: int = 2
) -> list[list[tuple[str, AnswerChoice]]]:
    return [list(pairs[i : i + width]) for i in range(0, len(pairs), width)]


def _office_suffix(draft: Draft) -> str:
    """' · <office>' where the person reports for several offices, or enters a report for
    an office as a coordinator (raw, unescaped)."""
    if draft.report.on_behalf:
        return texts.MEASURE_HEADER_ENTERED.format(office=draft.item.office.name)
    if not draft.several_offices:
        return ""
    return texts.MEASURE_HEADER_OFFICE.format(office=draft.item.office.name)


def header(draft: Draft, zone: ZoneInfo) -> str:
    """The measure's code and title (and which version was sent), above its first question."""
    measure = draft.item.measure
    text = texts.fill(
        texts.MEASURE_HEADER, code=measure.code, office=_office_suffix(draft), title=measure.title
    )
    sent = draft.sent
    if sent is not None and sent.version is not None and sent.submitted_at is not None:
        when = sent.submitted_at.astimezone(zone)
        text += "\n" + texts.fill(
            texts.SENT_BEFORE,
            version=sent.version,
            day=day(when),
            time=when.strftime("%H:%M"),
            next=sent.version + 1,
        )
    return text


def shorten(text: str, limit: int = 60) -> str:
    """A typed text cut for a one-line mention (raw; escaped by texts.fill)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def shown(question: Question, value: object) -> str:
    """A stored answer as the person sees it (raw text; escaped by texts.fill)."""
    if value is None:
        return texts.REVIEW_EMPTY
    if question.kind is Kind.STATUS:
        return texts.STATUS_LABELS[str(value)]
    if question.kind is Kind.OBSTACLE:
        chosen = cast(tuple[Obstacle, ...], value)
        return obstacles_text(chosen, None) or texts.OBSTACLE_NONE
    if question.kind is Kind.SUPPORT:
        return texts.YES if value else texts.NO
    return str(value) or texts.SKIPPED


def ask(draft: Draft, question: Question, intro: str = "") -> Reply:
    """The message that asks ``question`` of ``draft``, with its buttons.

    ``intro`` (the measure's header) goes above it when the measure starts or resumes, so
    that a measure begins with one message, not two.
    """
    text, buttons = _question(draft, question)
    if intro:
        text = f"{intro}\n\n{text}"
    return Reply(text, buttons, asks_for=draft.report.id)


def _question(draft: Draft, question: Question) -> tuple[str, Buttons]:
    report_id = draft.report.id

    def button(label: str, value: str) -> tuple[str, AnswerChoice]:
        return label, AnswerChoice(report_id, question, value)

    if question.kind is Kind.REVIEW:
        return review(draft)
    # An answer being changed is shown and kept unless replaced ("Beibehalten");
    # removing a text is its own button, so that skipping never deletes anything.
    stored = draft.stored(question)
    changing = stored is not None
    current_line = (
        texts.fill(texts.CURRENT_VALUE, value=shown(question, stored)) if changing else ""
    )
    keep = [button(texts.KEEP, KEEP_VALUE)] if changing else []
    if changing and question.expects_text:
        skip = [[*keep, button(texts.REMOVE, SKIP_VALUE)]] if stored else [keep]
    else:
        skip = [[button(texts.SKIP, SKIP_VALUE)]]
    if question.kind is Kind.INDICATOR:
        lines = [
            texts.fill(texts.ASK_INDICATOR, code=draft.code, indicator=draft.item.measure.indicator)
        ]
        if current_line:
            lines.append(current_line)
        return "\n\n".join(lines), skip
    head = _target_head(draft, question)
    if question.kind is Kind.STATUS:
        return _status_question(draft, question, head, keep, current_line)
    if question.kind is Kind.OBSTACLE:
        chosen = frozenset(cast(tuple[Obstacle, ...], stored or ()))
        text = f"{head}\n\n{current_line + chr(10) if current_line else ''}{texts.ASK_OBSTACLE}"
        return text, [*([keep] if keep else []), *obstacle_buttons(report_id, question, chosen)]
    prompts: dict[Kind, tuple[str, Buttons]] = {
        Kind.NOTE: (texts.ASK_NOTE, skip),
        Kind.OBSTACLE_NOTE: (texts.ASK_OBSTACLE_NOTE, skip),
        Kind.SUPPORT: (
            texts.ASK_SUPPORT,
            [[button(texts.YES, YES_VALUE), button(texts.NO, NO_VALUE)]],
        ),
        Kind.SUPPORT_NOTE: (texts.ASK_SUPPORT_NOTE, skip),
    }
    prompt, buttons = prompts[question.kind]
    if keep and not question.expects_text:
        buttons = [keep, *buttons]
    if current_line:
        prompt = f"{current_line}\n{prompt}"
    return f"{head}\n\n{prompt}", buttons


def _target(draft: Draft, question: Question) -> tuple[int, HorizonTarget]:
    targets = draft.item.targets
    number = next(n for n, t in enumerate(targets, start=1) if t.id == question.target_id)
    return number, targets[number - 1]


def _target_head(draft: Draft, question: Question) -> str:
    """Code, horizon and the target; the target's text only where its status is asked."""
    number, target = _target(draft, question)
    if question.kind is not Kind.STATUS:
        return texts.fill(
            texts.TARGET_HEAD_SHORT, code=draft.code, horizon=draft.horizon(target.id)
        )
    return texts.fill(
        texts.TARGET_HEAD,
        code=draft.code,
        horizon=draft.horizon(target.id),
        number=number,
        count=len(draft.item.targets),
        target=target.target,
    )


def _status_question(
    draft: Draft,
    question: Question,
    head: str,
    keep: list[tuple[str, AnswerChoice]],
    current_line: str,
) -> tuple[str, Buttons]:
    report_id = draft.report.id

    def button(label: str, value: str) -> tuple[str, AnswerChoice]:
        return label, AnswerChoice(report_id, question, value)

    number, target = _target(draft, question)
    lines = [head]
    lines += [
        texts.fill(
            texts.HORIZON_MEANING, horizon=texts.TERM_LABELS[term], meaning=draft.meanings[term]
        )
        for term in target.terms.split("+")
        if term in draft.meanings
    ]
    lines.append("")
    rows: list[list[tuple[str, AnswerChoice]]] = _rows(
        [button(texts.STATUS_LABELS[s], s.value) for s in Status]
    )
    if keep:
        rows.insert(0, keep)
    previous = draft.previous.answers.get(target.id)
    if previous is not None and previous.status is not None:
        when = day(draft.previous.opens_on) if draft.previous.opens_on else "–"
        line = texts.fill(texts.PREVIOUS, day=when, status=texts.STATUS_LABELS[previous.status])
        if previous.note:
            line += texts.fill(texts.PREVIOUS_NOTE, note=previous.note)
        lines.append(line)
        rows.insert(0, [button(texts.UNCHANGED, UNCHANGED_VALUE)])
    if number == 1 and draft.all_unchanged_possible:
        rows.insert(0, [button(texts.ALL_UNCHANGED, ALL_UNCHANGED_VALUE)])
    if current_line:
        lines.append(current_line)
    note = draft.stored(question.text_question)
    if note:
        lines.append(texts.fill(texts.NOTE_SO_FAR, note=shorten(str(note), 200)))
    lines.append(texts.ASK_STATUS)
    return "\n".join(lines), rows


def obstacle_buttons(
    report_id: int, question: Question, chosen: frozenset[Obstacle]
) -> list[list[tuple[str, AnswerChoice]]]:
    """Toggle buttons, two a row, then "Fertig".

    The selection lives in the buttons themselves (each carries the selection it makes),
    so toggling stores nothing and survives a restart; "Fertig" stores it as the answer.
    """
    toggles = []
    for obstacle in Obstacle:
        label = texts.OBSTACLE_LABELS[obstacle]
        if obstacle in chosen:
            label = texts.fill(texts.OBSTACLE_CHOSEN, label=label)
        value = TOGGLE_PREFIX + str(obstacle_mask(chosen ^ {obstacle}))
        toggles.append((label, AnswerChoice(report_id, question, value)))
    done = AnswerChoice(report_id, question, DONE_PREFIX + str(obstacle_mask(chosen)))
    return [*_rows(toggles), [(texts.OBSTACLES_DONE, done)]]


def obstacle_mask(chosen: frozenset[Obstacle]) -> int:
    return sum(1 << n for n, obstacle in enumerate(Obstacle) if obstacle in chosen)


def obstacles_of(mask_text: str) -> frozenset[Obstacle] | None:
    """The obstacles a button's mask names; None if it is no mask of ours."""
    if not (mask_text.isascii() and mask_text.isdigit()) or len(mask_text) > 3:
        return None
    mask = int(mask_text)
    if mask >= 1 << len(Obstacle):
        return None
    return frozenset(o for n, o in enumerate(Obstacle) if mask & (1 << n))


def review(draft: Draft) -> tuple[str, Buttons]:
    """All answers of the measure at a glance, where the indicator is answered and it is sent."""
    lines = [texts.fill(texts.REVIEW_HEAD, code=draft.code, office=_office_suffix(draft))]
    for answer in draft.answers:
        status = (texts.STATUS_LABELS[answer.status] if answer.status else texts.REVIEW_EMPTY) + (
            texts.REVIEW_CARRIED if answer.carried_over else ""
        )
        lines.append(
            texts.fill(
                texts.REVIEW_TARGET, horizon=draft.horizon(answer.horizon_target_id), status=status
            )
        )
        if answer.note:
            lines.append(texts.fill(texts.REVIEW_NOTE, note=answer.note))
        if answer.obstacles:
            obstacles = obstacles_text(answer.obstacles, answer.obstacle_note)
            lines.append(texts.fill(texts.REVIEW_OBSTACLE, obstacle=obstacles))
        if answer.support_requested:
            note = f": {answer.support_note}" if answer.support_note else ""
            lines.append(texts.fill(texts.REVIEW_SUPPORT, note=note))
    indicator = draft.report.indicator_note
    if indicator:
        lines.append(texts.fill(texts.REVIEW_INDICATOR, note=indicator))
    if draft.evidence:
        names = ", ".join(evidence_name(e.kind, e.file_name) for e in draft.evidence)
        lines.append(texts.fill(texts.REVIEW_EVIDENCE, files=names))
    prompt = texts.REVIEW_INDICATOR_PROMPT if indicator is None else texts.REVIEW_INDICATOR_REPLACE
    lines += ["", texts.fill(prompt, indicator=draft.item.measure.indicator)]
    report_id = draft.report.id
    buttons: list[list[tuple[str, Payload]]] = [[
        (texts.SUBMIT, Review(report_id, ReviewAction.SEND)),
        (texts.CHANGE, Review(report_id, ReviewAction.CHANGE)),
        (texts.LATER, Review(report_id, ReviewAction.LATER)),
    ]]  # fmt: skip
    earlier = draft.previous.indicator_note
    if earlier and indicator is None:
        when = day(draft.previous.opens_on) if draft.previous.opens_on else "–"
        lines.append(texts.fill(texts.PREVIOUS_INDICATOR, day=when, note=earlier))
        unchanged = AnswerChoice(report_id, Question(Kind.REVIEW), UNCHANGED_VALUE)
        buttons.insert(0, [(texts.INDICATOR_UNCHANGED, unchanged)])
    return "\n".join(lines), buttons


def answered_line(draft: Draft, question: Question, answer_text: str) -> str:
    """What a question's message turns into once answered: one line, no buttons."""
    if question.kind is Kind.INDICATOR:
        what = INDICATOR_LABEL
    else:
        what = f"{draft.horizon(question.target_id)}, {CHANGE_LABELS[question.kind]}"
    return texts.fill(texts.ANSWERED, code=draft.code, what=what, answer=answer_text)


def question_on_screen(draft: Draft) -> bool:
    """Whether the person has seen the message asking the draft's current question.

    Typed text and files answer the question on screen. After one was taken, the next
    question counts as shown only once its message went out (:func:`asked_anew`); if that
    reply was lost, a text typed again must not answer a question the person never saw.
    """
    return draft.report.question_message_id is not None


def asked_anew(draft: Draft) -> list[Reply]:
    """The current question in a new message, which becomes the one on screen once sent."""
    draft.report.question_message_id = None  # set again when the message is out
    return [ask(draft, draft.current())]


def tapped_answers(question: Question) -> Question:
    """The question a tap on ``question``'s buttons answers: itself, or on the review the
    indicator (its only answer by button is "Zahlen/Belege unverändert")."""
    return Question(Kind.INDICATOR) if question.kind is Kind.REVIEW else question


def answered_then_next(draft: Draft, question: Question, answer_text: str) -> list[Reply]:
    """After a tap on ``question``, answered as ``answer_text`` (see
    :func:`tapped_answers`): the tapped question's message shows the answer's line and,
    below it, the next question with its buttons (the review alone: it lists every
    answer). One edit instead of an edit and a new message, so a tap costs one of
    Telegram's rate-limited calls.

    The next question counts as on screen once the edit is out (see :func:`asked_anew`): a
    tap repeated because the edit was lost makes the same edit again.
    """
    line = answered_line(draft, tapped_answers(question), answer_text)
    draft.report.question_message_id = None  # set again when the edit is out
    following = draft.current()
    text, buttons = _question(draft, following)
    if following.kind is not Kind.REVIEW:  # the review lists every answer anyway
        text = f"{line}\n\n{text}"
    return [Reply(text, buttons, edit=True, asks_for=draft.report.id)]


def collapse(draft: Draft, line: str) -> list[Reply]:
    """Turn the message asking the current question into ``line`` (after typed text or a
    file, which arrive below it); nothing if that message is not known."""
    message_id = draft.report.question_message_id
    return [] if message_id is None else [Reply(line, edit_message_id=message_id)]


# --- the overview ----------------------------------------------------------------------------


def estimate_minutes(items: int, targets: int) -> int:
    return max(1, math.ceil(0.4 * items + 0.5 * targets))


def item_label(item: WorkItem, several_offices: bool, done: bool) -> str:
    label = ("✅ " if done else "") + item.measure.code
    if several_offices:
        office = item.office.name
        label += " · " + (office if len(office) <= 30 else office[:29] + "…")
    return label


async def overview(request: Request, round_: ReportingRound) -> Reply:
    """What is due for the person's offices (a coordinator without one chooses an office)."""
    contact = member(request)
    items = await work_items(request.session, contact)
    if not items:
        if contact.role is Role.COORDINATOR:
            return await offices_to_enter(request)
        return Reply(texts.NO_OFFICE_FOR_REPORT if not contact.offices else texts.NO_ITEMS)
    reply = await items_overview(request, round_, items, len(contact.offices) > 1)
    if contact.role is Role.COORDINATOR:
        more = [[(texts.ENTER_FOR_OTHER, ReportFor(0))]]
        reply = replace(reply, buttons=[*reply.buttons, *more])
    return reply


async def offices_to_enter(request: Request) -> Reply:
    """A coordinator chooses the office whose answer (by e-mail, by phone) they enter."""
    people = await contacts_by_office(request.session, request.today)
    rows: Buttons = [
        [(
            office.name + ("" if people.get(office.name) else texts.WITHOUT_CONTACT_MARK),
            ReportFor(office.id),
        )]
        for office in await active_offices(request.session)
    ]  # fmt: skip
    return Reply(texts.ENTER_FOR_ASK, rows)


@router.button(ReportFor, Audience.COORDINATOR)
async def report_for(request: Request, data: ReportFor) -> Reply:
    """The chosen office's measures of the round, to enter its report."""
    if data.office_id == 0:
        return await offices_to_enter(request)
    round_ = await round_now(request)
    if round_ is None:
        return Reply(texts.NO_ROUND)
    office = await request.session.get(Office, data.office_id)
    items = await office_items(request.session, [data.office_id])
    if office is None or office.retired or not items:
        return Reply(texts.STALE_BUTTON)
    reply = await items_overview(request, round_, items, False, in_order=False)
    head = texts.fill(texts.ENTER_FOR_HEAD, office=office.name)
    return replace(reply, text=f"{head}\n{reply.text}")


async def items_overview(
    request: Request,
    round_: ReportingRound,
    items: Sequence[WorkItem],
    several: bool,
    in_order: bool = True,
) -> Reply:
    """What is due of ``items`` in the round, a button per measure (and "Der Reihe nach")."""
    done = await submitted_items(request.session, round_.id)
    left = [item for item in items if item.key not in done]
    due = day(round_.due_on)
    buttons: list[list[tuple[str, Payload]]] = [
        [(item_label(item, several, item.key in done), StartItem(*item.key))] for item in items
    ]
    if not left:
        return Reply(texts.fill(texts.ALL_DONE, due=due), buttons)
    targets = sum(len(item.targets) for item in left)
    minutes = estimate_minutes(len(left), targets)
    text = texts.fill(
        texts.DUE_SUMMARY,
        due=due,
        measures=len(left),
        measure_word=texts.plural(len(left), "Maßnahme", "Maßnahmen"),
        targets=targets,
        target_word=texts.plural(targets, "Zielhorizont", "Zielhorizonte"),
        minutes=minutes,
        minute_word=texts.plural(minutes, "Minute", "Minuten"),
    )
    if in_order:
        buttons.insert(0, [(texts.IN_ORDER, NextItem())])
    return Reply(f"{text}\n\n{texts.CHOOSE_ITEM}", buttons)


def listening(report: Report, now: datetime, zone: ZoneInfo) -> bool:
    """Whether typed text now answers the draft's current question (see :data:`IDLE`)."""
    if report.paused_at is not None:
        return False
    last = report.updated_at
    return now - last < IDLE and last.astimezone(zone).date() == now.astimezone(zone).date()


def resume(draft: Draft, now: datetime) -> None:
    """The person came back to the draft on purpose: its questions take text again."""
    draft.report.paused_at = None
    draft.report.updated_at = now


def asleep(draft: Draft) -> list[Reply]:
    """What a message to a paused or long-silent draft gets: nothing stored, a way back."""
    return [Reply(texts.NOT_TAKEN, [[(texts.CONTINUE_REPORT, ReportNow())]])]


async def begin(request: Request) -> list[Reply]:
    """/bericht and "Jetzt berichten": continue the running draft, or show what is due."""
    round_ = await round_now(request)
    if round_ is None:
        return [Reply(texts.NO_ROUND)]
    draft = await running_draft(request)
    if draft is not None and draft.started:
        resume(draft, request.now)
        return [ask(draft, draft.current(), header(draft, request.services.settings.zone))]
    return [await overview(request, round_)]


@router.command("bericht")
async def report_command(request: Request) -> list[Reply]:
    return await begin(request)


@router.button(ReportNow, Audience.REPORTER)
async def report_button(request: Request, _data: ReportNow) -> list[Reply]:
    """ "Jetzt berichten": straight to the question where the person is, or the first open one.

    /bericht shows the overview first; a tap from a notice should not need a second one.
    """
    draft = await running_draft(request)
    if draft is not None and draft.started:
        return await begin(request)
    return await next_open(request)


@router.button(NextItem, Audience.REPORTER)
async def next_item(request: Request, _data: NextItem) -> list[Reply]:
    """ "Der Reihe nach": start (or continue) the next open item."""
    return await next_open(request)


async def next_open(request: Request) -> list[Reply]:
    """The first question of the first measure still open in the round."""
    round_ = await round_now(request)
    if round_ is None:
        return [Reply(texts.NO_ROUND)]
    return await _first_of(
        request, round_, await open_items(request.session, member(request), round_.id)
    )


async def _first_of(request: Request, round_: ReportingRound, left: list[WorkItem]) -> list[Reply]:
    """The first of the items ``left`` started, or that the round is complete."""
    if not left:
        return [Reply(texts.ROUND_COMPLETE)]
    return await _start(request, round_, left[0])


@router.button(StartItem, Audience.REPORTER)
async def start_item(request: Request, data: StartItem) -> list[Reply]:
    """Start (or continue) one item."""
    round_ = await round_now(request)
    if round_ is None:
        return [Reply(texts.NO_ROUND)]
    item = await item_for(request.session, member(request), data.measure_id, data.office_id)
    if item is None:
        return await stale(request)
    return await _start(request, round_, item)


async def _start(request: Request, round_: ReportingRound, item: WorkItem) -> list[Reply]:
    report = await start_draft(request.session, round_, item, member(request), request.now)
    draft = await load_draft(request, report)
    assert draft is not None
    resume(draft, request.now)
    return [ask(draft, draft.current(), header(draft, request.services.settings.zone))]


# --- answers ---------------------------------------------------------------------------------


def _matches(question: Question, value: str, draft: Draft) -> bool:
    """Whether ``value`` is what is already stored for ``question`` (a double tap)."""
    stored = draft.stored(question)
    if stored is None:
        return False
    if value == KEEP_VALUE:
        return True
    if question.kind is Kind.SUPPORT:
        return stored == (value == YES_VALUE)
    if question.kind is Kind.OBSTACLE:
        chosen = obstacles_of(value.removeprefix(DONE_PREFIX))
        return value.startswith(DONE_PREFIX) and chosen == frozenset(cast(tuple[Obstacle], stored))
    if value == SKIP_VALUE:
        return stored == ""
    return str(stored) == value or (value == UNCHANGED_VALUE and question.kind is Kind.STATUS)


@router.button(AnswerChoice, Audience.REPORTER)
async def answer_button(request: Request, data: AnswerChoice) -> list[Reply]:
    draft = await draft_from_button(request, data.report_id)
    question, value = data.question, data.value
    if draft is None:
        return await stale(request)
    if question != draft.current():
        if not _matches(question, value, draft):
            return await stale(request)
        if _tapped_message(request) == draft.report.question_message_id:
            return []  # a second tap: this message shows the next question already
        # Stored, but the reply never arrived (lost, or the bot restarted before sending
        # it), or the tap came from an older copy of the question (e.g. one asked again
        # by /bericht while the answer was on its way): the same tap again shows what
        # comes next in that message instead of nothing, for ever.
        what = tapped_answers(question)
        return answered_then_next(draft, question, shown(what, draft.stored(what)))
    if value == ALL_UNCHANGED_VALUE:
        return await all_unchanged(request, draft, question)
    if question.kind is Kind.OBSTACLE and value.startswith(TOGGLE_PREFIX):
        chosen = obstacles_of(value.removeprefix(TOGGLE_PREFIX))
        if chosen is None:
            return await stale(request)
        # the selection so far lives in the buttons: redraw them, store nothing yet
        text, _ = _question(draft, question)
        return [Reply(text, obstacle_buttons(draft.report.id, question, chosen), edit=True)]
    shown_text = _store_button_answer(draft, question, value, request)
    if shown_text is None:
        return await stale(request)
    return answered_then_next(draft, question, shown_text)


def _tapped_message(request: Request) -> int | None:
    query = request.update.callback_query
    message = query.message if query is not None else None
    return message.message_id if message is not None else None


async def all_unchanged(request: Request, draft: Draft, question: Question) -> list[Reply]:
    """ "Alles unverändert": every target and the indicator as last time, submitted at once."""
    if question.kind is not Kind.STATUS or not draft.all_unchanged_possible:
        return await stale(request)
    report, now = draft.report, request.now
    for answer in draft.answers:
        target = Question(Kind.STATUS, answer.horizon_target_id)
        previous = draft.previous.answers[answer.horizon_target_id]
        report_answers.record_unchanged(report, target, previous, now)
    indicator = draft.previous.indicator_note or ""
    report_answers.record_text(report, Question(Kind.INDICATOR), indicator, now)
    version = await submit(request.session, report, now)
    done = texts.fill(
        texts.ALL_UNCHANGED_DONE, code=draft.code, office=_office_suffix(draft), version=version
    )
    return await submitted(request, done, report)


def _store_button_answer(
    draft: Draft, question: Question, value: str, request: Request
) -> str | None:
    """Store the pressed answer; return how to show it, or None if the value is not valid."""
    now, report = request.now, draft.report
    if value == KEEP_VALUE:
        if draft.stored(question) is None:
            return None
        report_answers.keep(report, now)
        return f"{shown(question, draft.stored(question))} ({texts.KEPT})"
    if question.kind is Kind.REVIEW and value == UNCHANGED_VALUE:
        earlier = draft.previous.indicator_note
        if not earlier or report.indicator_note is not None:
            return None
        report_answers.record_text(report, Question(Kind.INDICATOR), earlier, now)
        return f"{shorten(earlier)} ({texts.UNCHANGED.lower()})"
    if question.kind is Kind.STATUS:
        if value == UNCHANGED_VALUE:
            previous = draft.previous.answers.get(question.target_id or 0)
            if previous is None or previous.status is None:
                return None
            report_answers.record_unchanged(report, question, previous, now)
            return f"{texts.STATUS_LABELS[previous.status]} ({texts.UNCHANGED.lower()})"
        if value not in texts.STATUS_LABELS:
            return None
        report_answers.record_status(report, question, Status(value), now)
        return texts.STATUS_LABELS[value]
    if question.kind is Kind.OBSTACLE:
        chosen = obstacles_of(value.removeprefix(DONE_PREFIX))
        if not value.startswith(DONE_PREFIX) or chosen is None:
            return None
        report_answers.record_obstacles(report, question, chosen, now)
        return shown(question, tuple(o for o in Obstacle if o in chosen))
    if question.kind is Kind.SUPPORT:
        if value not in (YES_VALUE, NO_VALUE):
            return None
        report_answers.record_support(report, question, value == YES_VALUE, now)
        return texts.YES if value == YES_VALUE else texts.NO
    if question.expects_text and value == SKIP_VALUE:
        removed = bool(draft.stored(question))
        report_answers.record_text(report, question, "", now)
        return texts.REMOVED if removed else texts.SKIPPED
    return None


async def draft_taking_messages(request: Request) -> Draft | list[Reply]:
    """The draft a message in the chat may answer, or what the person is told instead: that
    no question is open, or that the report is paused (nothing stored, a way back)."""
    draft = await running_draft(request)
    if draft is None:
        return [Reply(texts.NO_QUESTION_OPEN)]
    if not listening(draft.report, request.now, request.services.settings.zone):
        return asleep(draft)
    return draft


@router.private_message(filters.TEXT & ~filters.COMMAND, Audience.MEMBER)
async def free_text(request: Request) -> list[Reply]:
    """Typed text answers the question on screen: a text question, the note of the status
    being asked, or the indicator on the review. Anything else is not stored."""
    draft = await draft_taking_messages(request)
    if not isinstance(draft, Draft):
        return draft
    asked = draft.current()
    if not asked.takes_text:
        return [Reply(texts.BUTTON_EXPECTED), ask(draft, asked)]
    if not question_on_screen(draft):
        return [Reply(texts.NOT_STORED_UNSEEN), ask(draft, asked)]
    text = request.text or ""
    if len(text) > TEXT_LIMIT:
        return [Reply(texts.fill(texts.TEXT_TOO_LONG, length=len(text), limit=TEXT_LIMIT))]
    answered = asked.text_question
    editing = draft.report.editing
    report_answers.record_text(draft.report, answered, text, request.now)
    if asked.kind is Kind.STATUS:
        draft.report.editing = editing  # a note typed while a status is changed: still asked
    line = answered_line(draft, answered, shorten(text))
    return [*collapse(draft, line), *asked_anew(draft)]


@router.private_message(filters.PHOTO | filters.Document.ALL | filters.VOICE, Audience.MEMBER)
async def file_received(request: Request) -> list[Reply]:
    """A photo, document or voice note: evidence of the measure on screen, where text is taken."""
    draft = await draft_taking_messages(request)
    if not isinstance(draft, Draft):
        return draft
    asked = draft.current()
    if not asked.takes_text:
        return [Reply(texts.EVIDENCE_NOT_HERE), ask(draft, asked)]
    if not question_on_screen(draft):
        return [Reply(texts.NOT_STORED_UNSEEN), ask(draft, asked)]
    message = request.update.effective_message
    received = describe_file(message) if message is not None else None
    if received is None:
        return [Reply(texts.EVIDENCE_UNSUPPORTED), ask(draft, asked)]
    if received.file_size is not None and received.file_size > DOWNLOAD_LIMIT:
        size = file_size(received.file_size)
        return [Reply(texts.fill(texts.EVIDENCE_TOO_BIG, size=size)), ask(draft, asked)]
    evidence = await add_evidence(
        request.session,
        report=draft.report,
        question=asked.key,
        kind=received.kind,
        file_id=received.file_id,
        file_unique_id=received.file_unique_id,
        file_name=received.file_name,
        mime_type=received.mime_type,
        file_size=received.file_size,
        caption=received.caption,
        contact_id=member(request).id,
        received_at=request.now,
    )
    draft.evidence = await report_evidence(request.session, draft.report.id)
    draft.report.updated_at, draft.report.paused_at = request.now, None
    round_ = await request.session.get(ReportingRound, draft.report.round_id)
    assert round_ is not None
    keep_file(request, evidence, round_.opens_on, draft.code)
    line = texts.fill(
        texts.EVIDENCE_SAVED, code=draft.code, name=evidence_name(evidence.kind, evidence.file_name)
    )
    return [*collapse(draft, line), *asked_anew(draft)]


@router.private_message(
    ~filters.TEXT
    & ~filters.COMMAND
    & ~filters.StatusUpdate.ALL
    & ~filters.PHOTO
    & ~filters.Document.ALL
    & ~filters.VOICE,
    Audience.MEMBER,
)
async def not_taken(request: Request) -> list[Reply]:
    """Stickers, videos, locations and the like: a hint, and the current question again."""
    draft = await draft_taking_messages(request)
    if not isinstance(draft, Draft):
        return draft
    question = draft.current()
    hint = texts.TEXT_EXPECTED if question.takes_text else texts.BUTTON_EXPECTED
    return [Reply(hint), ask(draft, question)]


# --- review, change, back, pause -------------------------------------------------------------


@router.button(Review, Audience.REPORTER)
async def review_button(request: Request, data: Review) -> list[Reply]:
    draft = await draft_from_button(request, data.report_id)
    if draft is None or draft.current().kind is not Kind.REVIEW:
        return await stale(request)
    if data.action is ReviewAction.LATER:
        draft.report.paused_at = request.now
        return [Reply(texts.PAUSED, edit=True)]
    if data.action is ReviewAction.CHANGE:
        return [change_menu(draft)]
    if draft.report.indicator_note is None:
        draft.report.indicator_note = ""  # nothing typed for the indicator: skipped
    version = await submit(request.session, draft.report, request.now)
    done = texts.fill(
        texts.SUBMITTED, code=draft.code, office=_office_suffix(draft), version=version
    )
    return await submitted(request, done, draft.report)


async def submitted(request: Request, done: str, report: Report) -> list[Reply]:
    """After a submission: the question message says so, and the next measure follows;
    a request for support goes to the coordination at once.

    No "Weiter?" in between; the person can stop at any point, and typed text after a
    long silence is not taken as an answer (see :func:`listening`).
    """
    round_ = await round_now(request)
    assert round_ is not None
    support = await submitted_requests(request, report)
    if support:
        done += texts.SUPPORT_SENT
    told: list[Reply] = []
    if report.on_behalf:
        # a coordinator entered it: on with that office's measures; its contacts hear of it
        left = await open_office_items(request.session, report.office_id, round_.id)
        told = await entered_notices(request, report)
    else:
        left = await open_items(request.session, member(request), round_.id)
    if left:
        done += texts.fill(texts.STILL_OPEN, count=len(left))
    if report.on_behalf and not left:
        office = await request.session.get(Office, report.office_id)
        assert office is not None
        complete = Reply(texts.fill(texts.ENTERED_ALL_DONE, office=office.name))
        return [Reply(done, edit=True), *support, *told, complete]
    return [Reply(done, edit=True), *support, *told, *await _first_of(request, round_, left)]


async def entered_notices(request: Request, report: Report) -> list[Reply]:
    """Tell the contacts of the office that a coordinator entered its report."""
    office = await request.session.get(Office, report.office_id)
    measure = await request.session.get(Measure, report.measure_id)
    assert office is not None
    assert measure is not None
    text = texts.fill(
        texts.ENTERED_NOTICE,
        name=member(request).display_name,
        office=office.name,
        code=measure.code,
        version=report.version,
    )
    return [
        Reply(text, chat_id=contact.telegram_user_id)
        for contact in await active_contacts(request.session)
        if contact.telegram_user_id is not None
        and contact.unreachable_since is None
        and office.id in {o.id for o in contact.offices}
    ]


def change_menu(draft: Draft) -> Reply:
    rows = []
    for question in changeable(draft.answers, draft.report.indicator_note):
        if question.kind is Kind.INDICATOR:
            label = INDICATOR_LABEL
        else:
            label = f"{draft.horizon(question.target_id)}: {CHANGE_LABELS[question.kind]}"
        rows.append([(label, ChangeAnswer(draft.report.id, question))])
    rows.append([(texts.BACK_TO_REVIEW, ChangeAnswer(draft.report.id, Question(Kind.REVIEW)))])
    return Reply(texts.CHANGE_CHOOSE, rows, edit=True)


@router.button(ChangeAnswer, Audience.REPORTER)
async def change_button(request: Request, data: ChangeAnswer) -> list[Reply]:
    draft = await draft_from_button(request, data.report_id)
    question = data.question
    if draft is None:
        return await stale(request)
    if question.kind is Kind.REVIEW:
        return [replace(ask(draft, question), edit=True)]
    if question not in changeable(draft.answers, draft.report.indicator_note):
        return await stale(request)
    change(draft, question, request.now)
    return [replace(ask(draft, question), edit=True)]


def change(draft: Draft, question: Question, now: datetime) -> None:
    """Ask ``question`` again; its answer stays until a new one is given."""
    resume(draft, now)
    draft.report.editing = question.key


@router.button(Pause, Audience.REPORTER)
async def pause_button(request: Request, _data: Pause) -> Reply:
    draft = await running_draft(request)
    if draft is not None:
        draft.report.paused_at = request.now
    return Reply(texts.PAUSED, edit=True)


@router.command("zurueck")
async def back(request: Request) -> list[Reply]:
    draft = await running_draft(request)
    if draft is None:
        return [Reply(texts.NOTHING_RUNNING)]
    resume(draft, request.now)
    question = previous_question(draft.answers, draft.report.indicator_note, draft.editing)
    if question is None:
        return [Reply(texts.AT_FIRST), ask(draft, draft.current())]
    change(draft, question, request.now)
    return [ask(draft, question)]


@router.command("abbrechen")
async def pause(request: Request) -> Reply:
    """Pause the running draft: until the person resumes, typed text is not an answer."""
    draft = await running_draft(request)
    if draft is None:
        return Reply(texts.NOTHING_RUNNING)
    draft.report.paused_at = request.now
    return Reply(texts.PAUSED)


# --- rounds ----------------------------------------------------------------------------------


async def opening_notices(
    session: AsyncSession, round_: ReportingRound, now: datetime
) -> list[Reply]:
    """The opening message of a round for each reachable contact with something to report.

    Each is recorded as a notice first, so a second process or a restart sends none twice.
    """
    reachable = await reachable_contacts(session)
    items = await work_items_of(session, reachable)
    messages = {
        contact.id: replace(
            round_announcement(round_, items[contact.id]), chat_id=contact.telegram_user_id
        )
        for contact in reachable
        if items[contact.id]
    }
    return await claim_and_keep_notices(session, round_.id, OPENING, messages, now)


def round_announcement(
    round_: ReportingRound, items: Sequence[WorkItem], template: str = texts.ROUND_ANNOUNCEMENT
) -> Reply:
    """What is due in ``round_`` for these items, with "Jetzt berichten"."""
    targets = sum(len(item.targets) for item in items)
    minutes = estimate_minutes(len(items), targets)
    text = texts.fill(
        template,
        due=day(round_.due_on),
        measures=len(items),
        measure_word=texts.plural(len(items), "Maßnahme", "Maßnahmen"),
        minutes=minutes,
        minute_word=texts.plural(minutes, "Minute", "Minuten"),
    )
    return Reply(text, [[(texts.REPORT_NOW, ReportNow())]])


async def what_is_due(session: AsyncSession, contact: Contact, today: date) -> Reply | None:
    """The running round's announcement for what ``contact`` still has to report, if any."""
    round_ = await running_round(session, today)
    if round_ is None:
        return None
    left = await open_items(session, contact, round_.id)
    return round_announcement(round_, left, texts.ROUND_RUNNING) if left else None


def reminder_buttons() -> Buttons:
    return [[(texts.REPORT_NOW, ReportNow()), (texts.REMIND_LATER, Snooze())]]


@router.button(Snooze, Audience.REPORTER)
async def snooze(request: Request, _data: Snooze) -> Reply:
    """ "Später erinnern": no reminder until the next working day, then one."""
    timetable = request.services.settings.timetable
    round_ = await round_now(request)
    if round_ is None:
        return Reply(texts.NO_ROUND, edit=True)
    until = timetable.next_working_day(request.now)
    contact = member(request)
    contact.snoozed_until, contact.snoozed_round_id = until, round_.id
    return Reply(texts.fill(texts.SNOOZED, day=day(timetable.today(until))), edit=True)


# --- absence -----------------------------------------------------------------------------------


def absence_choices(today: date) -> list[date]:
    """The days one can be absent until: this (or next) Friday, then one to four weeks on."""
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    return [friday, *(today + timedelta(weeks=weeks) for weeks in (1, 2, 4))]


def _until_label(day_: date) -> str:
    return texts.ABSENCE_UNTIL.format(weekday=texts.WEEKDAYS[day_.weekday()], day=day(day_))


@router.command("abwesend")
async def absence(request: Request) -> Reply:
    """ "abwesend bis …": chosen with a button; no reminders until the end of that day."""
    contact, today = member(request), request.today
    rows: list[list[tuple[str, AbsentUntil]]] = [
        [(_until_label(until), AbsentUntil(day_number(until)))] for until in absence_choices(today)
    ]
    text = texts.ABSENCE_ASK
    if contact.absent_until is not None and contact.absent_until >= today:
        text = texts.fill(texts.ABSENCE_NOW, day=day(contact.absent_until)) + "\n" + text
        rows.append([(texts.ABSENCE_BACK_BUTTON, AbsentUntil(0))])
    return Reply(text, rows)


@router.button(AbsentUntil, Audience.REPORTER)
async def absence_chosen(request: Request, data: AbsentUntil) -> Reply:
    contact = member(request)
    if data.day == 0:
        contact.absent_until = None
        return Reply(texts.ABSENCE_ENDED, edit=True)
    until = day_from_number(data.day)
    # only the days offered (a button of yesterday's still counts): a forged far date no
    if until is None or not request.today <= until <= max(absence_choices(request.today)):
        return Reply(texts.STALE_BUTTON, edit=True)
    contact.absent_until = until
    return Reply(texts.fill(texts.ABSENCE_SET, day=day(until)), edit=True)
