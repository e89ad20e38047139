"""What reporting costs on a phone: taps, new messages, edits and characters (prints figures).

    .venv/bin/python -m tests.benchmarks.taps

Drives the real bot through the Bot API stand-in, as the demo contact (two offices, ten
measures), in three situations of issue 11's budget:

1. one measure with two horizon targets, nothing flagged, notes skipped (first report),
   from the tap on it in the overview of /bericht to its submission;
2. the same measure in the next round, nothing changed since, from the moment it is on
   the screen (its first question) to its submission;
3. a whole report in the next round in which nothing changed (all ten measures), from
   /bericht to the last submission.

A tap is a button pressed; typed commands are counted apart. Characters are those of the
new messages and of every edit the person gets to see. A measure's submission brings the
next measure's first question at once; in rows 1 and 2 that message (and its characters)
belongs to the next measure and is not counted, in row 3 everything is.

Below the table: the SQL statements and transactions a tap costs the bot (SQLite, every
tap of the run), as medians and maxima: an answer ("🟢 im Plan"), and all taps.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import tempfile
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import chain
from pathlib import Path

from sqlalchemy import Engine, event, select

from bot.config.settings import load_settings
from bot.runtime import HandledUpdates, build_application, serving, track_handled
from bot.standin import BotApiStandIn, FakeUser
from seed.loader import load_catalogue
from storage.database import create_engine, session_factory
from storage.models import Office, Role
from storage.people import add_contact
from storage.reporting import Cadence, open_round
from storage.setup import init_database

OFFICES = ("Flüchtlingskoordination", "Amt für soziale Leistungen")
MEASURE = "III.1.1 · Amt für soziale Leistungen"  # two horizon targets
ROUND_DONE = "Alle Maßnahmen dieser Runde sind berichtet. Vielen Dank!"
ANSWER = "🟢 im Plan"


@dataclass
class Cost:
    taps: int = 0
    commands: int = 0
    messages: int = 0
    edits: int = 0
    characters: int = 0


class Sql:
    """SQL statements and transactions of every engine in this process (the bot's too)."""

    def __init__(self) -> None:
        self.statements = 0
        self.transactions = 0
        # per tap's label: (statements, transactions) of each tap
        self.taps: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)

    def _statement(self, *_: object) -> None:
        self.statements += 1

    def _begin(self, *_: object) -> None:
        self.transactions += 1

    @contextmanager
    def counting(self) -> Iterator[None]:
        event.listen(Engine, "before_cursor_execute", self._statement)
        event.listen(Engine, "begin", self._begin)
        try:
            yield
        finally:
            event.remove(Engine, "before_cursor_execute", self._statement)
            event.remove(Engine, "begin", self._begin)

    def summary(self, label: str | None = None) -> tuple[float, float, int, int]:
        """Median statements and transactions and their maxima, of the taps on ``label``
        (None: of all taps)."""
        taps = (
            self.taps[label] if label is not None else list(chain.from_iterable(self.taps.values()))
        )
        statements, transactions = zip(*taps, strict=True)
        return (
            statistics.median(statements),
            statistics.median(transactions),
            max(statements),
            max(transactions),
        )


class Contact:
    """The demo contact, counting what each step costs."""

    def __init__(
        self, standin: BotApiStandIn, handled: HandledUpdates, user: FakeUser, sql: Sql
    ) -> None:
        self.standin, self.handled, self.user, self.sql = standin, handled, user, sql
        self.cost = Cost()
        self.handed_over = Cost()  # the next measure's first message, taken from this one

    def _seen(self) -> tuple[int, int, int]:
        sent = self.standin.sent_messages(self.user.id)
        chars = sum(len(m.plain_text or "") for m in sent) + sum(
            len(v.plain_text or "") for m in sent for v in m.edit_history
        )
        return len(sent), sum(len(m.edit_history) for m in sent), chars

    async def _step(self, action: Callable[[], Awaitable[int]]) -> None:
        messages, edits, chars = self._seen()
        await self.handled.wait_for(await action())
        new_messages, new_edits, new_chars = self._seen()
        self.cost.messages += new_messages - messages
        self.cost.edits += new_edits - edits
        self.cost.characters += new_chars - chars

    async def tap(self, label: str) -> None:
        self.cost.taps += 1
        statements, transactions = self.sql.statements, self.sql.transactions
        await self._step(lambda: self.standin.press_button(self.user, label))
        self.sql.taps[label].append(
            (self.sql.statements - statements, self.sql.transactions - transactions)
        )

    async def say(self, text: str) -> None:
        self.cost.commands += 1
        await self._step(lambda: self.standin.send_text(self.user, text))

    def offered(self, label: str) -> bool:
        """Whether the newest message with buttons offers ``label``."""
        for message in reversed(self.standin.sent_messages(self.user.id)):
            if message.buttons:
                return any(label in row for row in message.buttons)
        return False

    def take(self) -> Cost:
        cost, self.cost = self.cost, Cost()
        return cost

    def hand_over_next_measure(self) -> None:
        """The newest message opened the next measure: not part of this one's cost."""
        newest = self.standin.sent_messages(self.user.id)[-1]
        if (newest.plain_text or "").startswith("Maßnahme "):
            self.cost.messages -= 1
            self.cost.characters -= len(newest.plain_text or "")
            self.handed_over = Cost(messages=1, characters=len(newest.plain_text or ""))


async def prepare(url: str, today: date) -> None:
    engine = create_engine(url)
    await init_database(engine, load_catalogue())
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
    async with session_factory(engine)() as session, session.begin():
        offices = list(await session.scalars(select(Office).where(Office.name.in_(OFFICES))))
        await add_contact(
            session, telegram_user_id=1002, display_name="Karl Kontakt", role=Role.CONTACT,
            offices=offices, now=now,
        )  # fmt: skip
        await open_round(session, today=today, cadence=Cadence.MONTHLY, now=now)
    await engine.dispose()


async def next_round(url: str, today: date) -> None:
    engine = create_engine(url)
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
    async with session_factory(engine)() as session, session.begin():
        await open_round(session, today=today, cadence=Cadence.MONTHLY, now=now)
    await engine.dispose()


def button(karl: Contact, start: str) -> str | None:
    """The label starting with ``start`` on the newest message, if it offers one."""
    newest = karl.standin.sent_messages(karl.user.id)[-1]
    return next((b for row in newest.buttons for b in row if b.startswith(start)), None)


async def report_measure(karl: Contact, choice: str) -> None:
    """Answer the measure on screen: ``choice`` wherever offered, skip the rest, send it.

    Nothing changed ("Unverändert"): "Alles unverändert" where the bot offers it. Notes
    and figures are optional text: typing nothing skips them.
    """
    if choice == "Unverändert" and karl.offered("Alles unverändert"):
        await karl.tap("Alles unverändert")
        return
    while not karl.offered("Absenden"):
        if karl.offered(choice):
            await karl.tap(choice)
        else:
            last = karl.standin.sent_messages(karl.user.id)[-1]
            raise RuntimeError(f"{choice!r} not offered: {last.plain_text!r} {last.buttons}")
    await karl.tap("Absenden")


async def rest_of_round(karl: Contact, choice: str) -> int:
    """Report every measure still open, as they follow each other; how many there were.

    (Until 01.12.2026 each was reached with "Weiter mit …"; now the next one follows.)
    """
    count = 0
    while True:
        if (label := button(karl, "Weiter mit")) is not None:
            await karl.tap(label)
        elif not karl.standin.sent_messages(karl.user.id)[-1].buttons:
            return count  # "Alle Maßnahmen dieser Runde sind berichtet."
        await report_measure(karl, choice)
        count += 1


def plus(a: Cost, b: Cost) -> Cost:
    return Cost(*(x + y for x, y in zip(vars(a).values(), vars(b).values(), strict=True)))


async def measure(sql: Sql | None = None) -> list[tuple[str, Cost]]:
    """The three situations and what each cost; the database work of each tap in ``sql``."""
    sql = sql or Sql()
    with tempfile.TemporaryDirectory() as directory, sql.counting():
        url = f"sqlite+aiosqlite:///{Path(directory) / 'taps.sqlite3'}"
        today = datetime.now(UTC).date()
        await prepare(url, today - timedelta(days=40))
        async with BotApiStandIn() as standin:
            settings = load_settings(
                telegram_bot_token=standin.token,
                telegram_api_base_url=standin.base_url,
                database_url=url,
                auto_rounds="false",
            )
            application = build_application(settings)
            handled = track_handled(application)
            async with serving(application, poll_timeout=1):
                await standin.until_idle()
                karl = Contact(standin, handled, standin.user(1002, "Karl", "Kontakt"), sql)
                # the round before: one measure counted, then the others reported too
                await karl.say("/bericht")
                karl.take()
                await karl.tap(MEASURE)
                await report_measure(karl, ANSWER)
                karl.hand_over_next_measure()
                first = karl.take()
                await rest_of_round(karl, ANSWER)
                karl.take()
                # the next round: nothing changed
                await next_round(url, today - timedelta(days=5))
                await karl.say("/bericht")
                await karl.tap(MEASURE)
                opening = karl.take()
                await report_measure(karl, "Unverändert")
                karl.hand_over_next_measure()
                unchanged = karl.take()
                measures = 1 + await rest_of_round(karl, "Unverändert")
                whole = plus(plus(opening, unchanged), plus(karl.handed_over, karl.take()))
                if karl.standin.sent_messages(karl.user.id)[-1].plain_text != ROUND_DONE:
                    raise RuntimeError("the round did not end as expected")
    return [
        ("Zwei Zielhorizonte, nichts auffällig, ohne Notizen", first),
        ("Dieselbe Maßnahme in der nächsten Runde, unverändert", unchanged),
        (f"Ganzer Bericht, nichts geändert ({measures} Maßnahmen)", whole),
    ]


async def main() -> None:
    logging.disable(logging.WARNING)
    sql = Sql()
    rows = await measure(sql)
    print(f"{'':54}{'Tipps':>6}{'Befehle':>8}{'Nachrichten':>12}{'Bearb.':>7}{'Zeichen':>8}")
    for label, cost in rows:
        print(
            f"{label:54}{cost.taps:6}{cost.commands:8}{cost.messages:12}{cost.edits:7}"
            f"{cost.characters:8}"
        )
    print(f"\nDatenbank je Tipp (SQLite){'Anweisungen':>40}{'Transaktionen':>15}")
    for label, which in ((f"eine Antwort ({ANSWER})", ANSWER), ("alle Tipps", None)):
        median_statements, median_transactions, most_statements, most_transactions = sql.summary(
            which
        )
        print(f"{label + ', Median':54}{median_statements:>12g}{median_transactions:>15g}")
        print(f"{label + ', höchstens':54}{most_statements:>12}{most_transactions:>15}")


if __name__ == "__main__":
    asyncio.run(main())
