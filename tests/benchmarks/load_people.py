"""The simulated people of :mod:`tests.benchmarks.load`, and the clock on the stand-in's calls.

Latency is taken from the stand-in's own record of calls, not by polling: the list the
stand-in appends every request to (``BotApiStandIn.calls``, one ``Call`` per request, once
its parameters are read and before it is carried out) is replaced by a list that stamps
each call with ``time.perf_counter()`` as it is appended and hands it to the
:class:`Observer`. A person's action is stamped just before the stand-in queues its update
(``send_text`` and ``press_button`` queue it before their first ``await``). So a reply
latency is: from the moment the update was queued to the moment the bot's first message
or edit into that person's chat reached the stand-in. Both stamps are taken in the
benchmark's own event loop; when that loop is busy, its lag adds to the figure.

The stand-in carries a message or an edit out in the same step of the event loop in which
it records the call (no ``await`` in between), so a person woken by the observer always
finds the message in the stand-in's chat.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from bot.standin import BotApiStandIn, Call, FakeUser, SentMessage

# Calls that put something on a person's screen: the first of them after an action is
# the reply whose latency is measured.
REPLIES = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendvoice",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
    }
)
EDITS = frozenset({"editmessagetext", "editmessagecaption", "editmessagereplymarkup"})
# Calls that Telegram's flood limits do not count (no chat_id; the bot's set-up and
# polling). Every other call (sendMessage, editMessageText, deleteMessage,
# sendChatAction, sendDocument …) counts as rate-limited.
NOT_RATE_LIMITED = frozenset(
    {
        "getupdates",
        "getme",
        "answercallbackquery",
        "setmycommands",
        "getmycommands",
        "deletemycommands",
        "setchatmenubutton",
        "getchatmenubutton",
        "setmydescription",
        "getmydescription",
        "setmyshortdescription",
        "getmyshortdescription",
        "getfile",
        "getchat",
        "setwebhook",
        "deletewebhook",
        "getwebhookinfo",
        "logout",
        "close",
    }
)

# A round's opening message (no reply to anything): how the bot sends it (HTML) and how
# the stand-in keeps it (plain text). The coordinator's question "Neue Berichtsrunde vom
# … öffnen?" is none.
NOTICE_SENT = "<b>Neue Berichtsrunde</b> bis "
NOTICE = "Neue Berichtsrunde bis "
ANSWER = "🟢 im Plan"  # the status every person gives
# the answer taken: its line above the next question, or (after the last target) the
# review, which lists it
ANSWER_STORED = (f"Stand: {ANSWER}", "Ihre Angaben")
SUBMITTED = "abgesendet (Version"  # "✅ III.3.1 abgesendet (Version 1)."
ROUND_DONE = ("Alle Maßnahmen dieser Runde sind berichtet.", "Alles berichtet, vielen Dank!")
STALE = ("Diese Frage ist nicht mehr aktuell.", "Diese Schaltfläche ist nicht mehr gültig.")
# What a reporting person presses, the first one offered (notes and figures are skipped);
# with none of them on the screen they type /bericht.
WANTED = ("Absenden", ANSWER, "Überspringen", "Der Reihe nach", "Jetzt berichten")
REPORT = "/bericht"
GIVE_UP = 3  # /bericht this often in a row without getting anywhere: the person is stuck


class StampedCalls(list[Call]):
    """The stand-in's list of calls; each call appended is stamped and handed on."""

    def __init__(self, seen: Callable[[Call, float], None]) -> None:
        super().__init__()
        self._seen = seen

    def append(self, call: Call, /) -> None:  # the only way the stand-in records a call
        super().append(call)
        self._seen(call, time.perf_counter())


def _chat_of(call: Call) -> int:
    try:
        return int(call.params.get("chat_id") or 0)
    except (TypeError, ValueError):  # "@channel": none of our people
        return 0


class Observer:
    """Every call of the bot, stamped; replies and notices passed to the person concerned."""

    def __init__(self, standin: BotApiStandIn) -> None:
        self.stamps: list[tuple[float, str]] = []  # (when, method as the bot spelt it)
        self.people: dict[int, Person] = {}
        self.notices: list[float] = []  # when each round opening reached the stand-in
        self.notified = asyncio.Event()
        standin.state.calls = StampedCalls(self._seen)

    def _seen(self, call: Call, at: float) -> None:
        self.stamps.append((at, call.method))
        method = call.method.lower()
        if method not in REPLIES:
            return
        text = str(call.params.get("text") or call.params.get("caption") or "")
        person = self.people.get(_chat_of(call))
        if method == "sendmessage" and text.startswith(NOTICE_SENT):
            self.notices.append(at)
            self.notified.set()
            if person is not None:
                person.noticed()
            return
        if person is not None:
            edited = call.params.get("message_id") if method in EDITS else None
            person.replied(at, text, int(edited) if edited is not None else None)

    def calls(self, start: float, end: float) -> Counter[str]:
        """How often each method was called between ``start`` and ``end``."""
        return Counter(method for at, method in self.stamps if start <= at <= end)

    def polls(self) -> int:
        return sum(1 for _, method in self.stamps if method.lower() == "getupdates")


@dataclass
class Action:
    """One thing a person did, and when the bot answered it."""

    person: int
    kind: str  # "text" or "press"
    what: str  # the text typed or the label pressed
    queued: float
    replied: float | None = None  # the first message or edit into the person's chat
    ready: float | None = None  # when the person saw the whole reply (buttons to go on)

    @property
    def latency(self) -> float | None:
        return None if self.replied is None else self.replied - self.queued

    @property
    def whole(self) -> float | None:
        """Until the whole reply was there (the buttons to go on)."""
        return None if self.ready is None else self.ready - self.queued


@dataclass
class Tally:
    """What a reporting person saw the bot take: answers given and measures submitted."""

    answers: int = 0
    submissions: int = 0
    stale: int = 0  # replies "no longer current" (after the round changed under them)


class Person:
    """Someone in a private chat with the bot: acts, waits for the whole reply, thinks.

    ``think``: the range of seconds between getting a reply and acting again (None: at
    once). The random source is the person's own, seeded by their number, so the same
    person thinks as long in the run against the real bot as against the minimal one.
    """

    def __init__(
        self,
        standin: BotApiStandIn,
        observer: Observer,
        user: FakeUser,
        number: int,
        think: tuple[float, float] | None,
        reply_timeout: float,
    ) -> None:
        self.standin, self.observer, self.user = standin, observer, user
        self.rng = random.Random(number)
        self.think, self.reply_timeout = think, reply_timeout
        self.actions: list[Action] = []
        self.timeouts = 0  # actions without a whole reply within reply_timeout
        self.changed = asyncio.Event()
        self._current: Action | None = None
        self._known = 0  # messages in the chat when the current action was queued
        self._edited: set[int] = set()  # messages edited since then
        self._texts: list[str] = []  # of the replies to the current action
        observer.people[user.id] = self
        standin.open_chat(user)

    # ---------------------------------------------------------------- observer
    def replied(self, at: float, text: str, edited: int | None) -> None:
        action = self._current
        if action is not None and action.replied is None:
            action.replied = at
        self._texts.append(text)
        if edited is not None:
            self._edited.add(edited)
        self.changed.set()

    def noticed(self) -> None:
        self.changed.set()

    # ------------------------------------------------------------------ seeing
    def messages(self) -> list[SentMessage]:
        return [m for m in self.standin.sent_messages(self.user.id) if not m.deleted]

    def newest_reply(self) -> tuple[int, SentMessage] | None:
        """The newest message that is not a round's opening, with its place in the chat."""
        messages = self.standin.sent_messages(self.user.id)
        for index in range(len(messages) - 1, -1, -1):
            message = messages[index]
            if not message.deleted and not (message.plain_text or "").startswith(NOTICE):
                return index, message
        return None

    def ready(self) -> bool:
        """Whether the whole reply to the current action is there: the newest message
        (sent or edited since the action) offers buttons, or says that all is done or
        that the button is no longer valid."""
        if self._current is None or self._current.replied is None:
            return False
        newest = self.newest_reply()
        if newest is None:
            return False
        index, message = newest
        if index < self._known and message.message_id not in self._edited:
            return False
        text = message.plain_text or ""
        return bool(message.buttons) or any(end in text for end in (*ROUND_DONE, *STALE))

    def said(self, marker: str) -> bool:
        """Whether a reply to the current action contained ``marker``."""
        return any(marker in text for text in self._texts)

    # ------------------------------------------------------------------ acting
    async def act(self, kind: str, what: str, *, whole: bool = True) -> Action:
        """Type ``what`` or press the button ``what``; wait for the whole reply (or, not
        ``whole``, for its first message or edit)."""
        self._known = len(self.standin.sent_messages(self.user.id))
        self._edited, self._texts = set(), []
        action = Action(self.user.id, kind, what, time.perf_counter())
        self._current = action
        if kind == "text":
            await self.standin.send_text(self.user, what)
        else:
            await self.standin.press_button(self.user, what)  # AssertionError: not offered
        self.actions.append(action)
        deadline = time.monotonic() + self.reply_timeout
        while not (self.ready() if whole else action.replied is not None):
            self.changed.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.timeouts += 1
                break
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except TimeoutError:
                continue
        else:
            action.ready = time.perf_counter()
        return action

    async def pause(self) -> None:
        if self.think is not None:
            await asyncio.sleep(self.rng.uniform(*self.think))

    async def start_delay(self) -> None:
        """People do not all start in the same second: up to one thinking time."""
        if self.think is not None:
            await asyncio.sleep(self.rng.uniform(0, self.think[1]))


class Reporter(Person):
    """A contact reporting in the round, as ``tests/e2e/test_kills.Person`` does but
    without notes: /bericht, "Der Reihe nach", the status, "Absenden", and so on."""

    def __init__(
        self,
        standin: BotApiStandIn,
        observer: Observer,
        user: FakeUser,
        number: int,
        think: tuple[float, float] | None,
        reply_timeout: float,
    ) -> None:
        super().__init__(standin, observer, user, number, think, reply_timeout)
        self.tally = Tally()
        self.finished = False  # everything of the round reported
        self.stuck = False

    def done(self) -> bool:
        messages = self.messages()
        return bool(messages) and any(d in (messages[-1].plain_text or "") for d in ROUND_DONE)

    def next_step(self) -> str:
        """The label to press (on the newest message with buttons, an opening included),
        or /bericht."""
        for message in reversed(self.messages()):
            if not message.buttons:
                continue
            labels = [label for row in message.buttons for label in row]
            return next((wanted for wanted in WANTED if wanted in labels), REPORT)
        return REPORT

    async def run(self, going: Callable[[], bool], rounds_change: bool) -> None:
        """Report until the round is done or ``going()`` says stop. With
        ``rounds_change`` a person who is done waits for the next round's opening."""
        await self.start_delay()
        reports_in_a_row = missed = 0
        while going():
            if self.done():
                self.finished = True
                if not rounds_change:
                    return
                self.changed.clear()
                try:  # the next round's opening (or the end of the run)
                    await asyncio.wait_for(self.changed.wait(), 1.0)
                except TimeoutError:
                    continue
                if self.done():
                    continue
                self.finished = False
                await self.pause()
                continue
            step = self.next_step()
            reports_in_a_row = reports_in_a_row + 1 if step == REPORT else 0
            if reports_in_a_row > GIVE_UP:
                self.stuck = True
                return
            try:
                await self.act("text" if step == REPORT else "press", step)
            except AssertionError:  # the button went away meanwhile: look anew
                missed += 1
                if missed > GIVE_UP:
                    self.stuck = True
                    return
                await asyncio.sleep(0.1)
                continue
            if self.said(STALE[0]) or self.said(STALE[1]):
                self.tally.stale += 1
            elif step == ANSWER and any(map(self.said, ANSWER_STORED)):
                self.tally.answers += 1
            elif step == "Absenden" and self.said(SUBMITTED):
                self.tally.submissions += 1
            if not self.done() and going():
                await self.pause()


class Repeater(Person):
    """The same person against the minimal bot: the same number and kinds of actions as
    against the real bot (typed text where they typed, a button press where they pressed)."""

    async def run(self, kinds: list[str]) -> None:
        await self.start_delay()
        for number, kind in enumerate(kinds):
            if kind == "press" and not any(m.buttons for m in self.messages()):
                kind = "text"  # nothing to press yet (cannot happen after the first reply)
            await self.act(kind, "/bericht" if kind == "text" else "Weiter")
            if number < len(kinds) - 1:
                await self.pause()


class Coordinator(Person):
    """Opens the next round through /runde, as ``tests/e2e/conftest.World.open_round``
    does: the menu, "Nächste Runde öffnen …", "Ja, nächste Runde öffnen"."""

    async def open_next_round(self) -> Action:
        """The confirmation pressed (queued when the broadcast was asked for), answered
        once the bot said who opened it (after the opening messages went out)."""
        await self.act("text", "/runde")
        await self.act("press", "Nächste Runde öffnen …")
        return await self.act("press", "Ja, nächste Runde öffnen", whole=False)
