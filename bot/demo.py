"""``monitoring-bot demo``: chat with the bot in the terminal, no token or configuration needed.

The demo starts the local Bot API stand-in, a fresh SQLite database in a temporary
directory and the real bot, creates a demo coordinator and a demo contact, and lets the
person at the terminal speak as either of them, as a stranger, or in the coordination
group. Input comes from the keyboard, from a file (``--script``) or from standard input.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from sqlalchemy import select

from bot.config.settings import Settings, load_settings
from bot.logging_setup import configure_logging
from bot.runtime import build_application, serving, track_handled
from bot.standin import BotApiStandIn, FakeChat, FakeUser, SentMessage
from conversations.framework import utcnow
from seed.loader import load_catalogue
from storage.database import create_engine, session_factory
from storage.models import Office, Role
from storage.people import add_contact
from storage.reporting import open_round
from storage.setup import init_database

DEMO_GROUP_ID = -1000000000001
CONTACT_OFFICES = ("Flüchtlingskoordination", "Amt für soziale Leistungen")

INTRO = """\
Demo des Integrationsmonitoring-Bots (lokal, ohne Telegram; Daten nur für diese Sitzung).

Sie schreiben als eine dieser Personen:
  :kontakt       Karl Kontakt, Ansprechperson für {offices}
  :koordination  Clara Koordina, Koordinierungsstelle
  :gruppe        Clara in der Gruppe der Koordinierungsstelle
  :gast          Gerd Gast, noch nicht freigeschaltet
Eingaben: Text oder /befehl senden; eine Zahl drückt die Schaltfläche mit dieser Nummer.
:hilfe zeigt diese Übersicht, :ende beendet die Demo.
Zum Einstieg: /start, dann /bericht (eine Berichtsrunde ist schon geöffnet).
"""


@dataclass(frozen=True)
class Persona:
    key: str
    label: str
    user: FakeUser
    chat: FakeChat | None = None  # None: the person's private chat

    @property
    def chat_id(self) -> int:
        return self.chat.id if self.chat else self.user.id


@dataclass
class Transcript:
    """Prints what the bot sent or changed since the last look, with numbered buttons."""

    out: TextIO
    names: dict[int, str]
    printed: dict[tuple[int, int], int] = field(default_factory=dict)

    def show_new(self, standin: BotApiStandIn) -> None:
        for chat_id, name in self.names.items():
            for message in standin.sent_messages(chat_id):
                versions = len(message.edit_history) + 1
                key = (chat_id, message.message_id)
                if message.deleted or self.printed.get(key) == versions:
                    continue
                edited = key in self.printed
                self.printed[key] = versions
                self.show(message, name, edited)

    def show(self, message: SentMessage, chat_name: str, edited: bool) -> None:
        header = f"── Bot an {chat_name}{' (geändert)' if edited else ''} ──"
        print(header, file=self.out)
        if message.kind != "text":
            print(f"[{message.kind}: {message.filename or ''}]", file=self.out)
        if message.plain_text:
            print(message.plain_text, file=self.out)
        labels = [label for row in message.buttons for label in row]
        for number, label in enumerate(labels, start=1):
            print(f"  [{number}] {label}", file=self.out)
        print(file=self.out)


def latest_buttons(standin: BotApiStandIn, chat_id: int) -> tuple[int, list[str]] | None:
    """The newest message in the chat that has buttons, and their labels in order."""
    for message in reversed(standin.sent_messages(chat_id)):
        if not message.deleted and message.buttons:
            return message.message_id, [label for row in message.buttons for label in row]
    return None


async def keyboard_lines() -> AsyncIterator[str]:
    while True:
        try:
            line = await asyncio.to_thread(input)
        except EOFError:
            return
        yield line


async def iterate(lines: Iterable[str]) -> AsyncIterator[str]:
    for line in lines:
        yield line


async def prepare_database(settings: Settings) -> None:
    engine = create_engine(settings.effective_database_url)
    try:
        await init_database(engine, load_catalogue(settings.catalogue_path))
        async with session_factory(engine)() as session, session.begin():
            offices = list(
                await session.scalars(select(Office).where(Office.name.in_(CONTACT_OFFICES)))
            )
            now = utcnow()
            await add_contact(
                session, telegram_user_id=1001, display_name="Clara Koordina",
                role=Role.COORDINATOR, now=now,
            )  # fmt: skip
            await add_contact(
                session, telegram_user_id=1002, display_name="Karl Kontakt",
                role=Role.CONTACT, offices=offices, now=now,
            )  # fmt: skip
            today = now.astimezone(settings.zone).date()
            await open_round(session, today=today, cadence=settings.reporting_cadence, now=now)
    finally:
        await engine.dispose()


async def run_demo(base: Settings, lines: AsyncIterator[str], out: TextIO, echo: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="monitoring-demo-") as directory:
        async with BotApiStandIn() as standin:
            settings = load_settings(
                telegram_bot_token=standin.token,
                telegram_api_base_url=standin.base_url,
                database_url=f"sqlite+aiosqlite:///{Path(directory) / 'demo.sqlite3'}",
                coordination_chat_id=DEMO_GROUP_ID,
                bot_username=None,
                catalogue_path=base.catalogue_path,
                timezone=base.zone,
            )
            await prepare_database(settings)
            clara = standin.user(1001, "Clara", "Koordina")
            karl = standin.user(1002, "Karl", "Kontakt")
            gerd = standin.user(1003, "Gerd", "Gast")
            group = standin.group(DEMO_GROUP_ID, "Koordinierungsgruppe")
            personas = {
                p.key: p
                for p in (
                    Persona("kontakt", "Kontakt", karl),
                    Persona("koordination", "Koordination", clara),
                    Persona("gruppe", "Gruppe", clara, group),
                    Persona("gast", "Gast", gerd),
                )
            }
            names = {p.chat_id: p.label for p in personas.values()}
            transcript = Transcript(out, names)
            intro = INTRO.format(offices=" und ".join(CONTACT_OFFICES))
            application = build_application(settings)
            handled = track_handled(application)
            async with serving(application, poll_timeout=1):
                await standin.until_idle()
                print(intro, file=out)
                current = personas["kontakt"]
                print(f"[{current.label}] ", end="", file=out, flush=True)
                async for raw in lines:
                    line = raw.strip()
                    if echo:
                        print(line, file=out)
                    if line == ":ende":
                        break
                    if line == ":hilfe":
                        print(intro, file=out)
                    elif line.startswith(":"):
                        chosen = personas.get(line[1:])
                        if chosen is None:
                            choices = ", ".join(f":{key}" for key in personas)
                            print(f"Unbekannt. Möglich: {choices}, :hilfe, :ende", file=out)
                        else:
                            current = chosen
                    elif line.isdigit():
                        update_id = await press(standin, current, int(line), out)
                        if update_id is not None:
                            await handled.wait_for(update_id)
                    elif line:
                        await handled.wait_for(
                            await standin.send_text(current.user, line, current.chat)
                        )
                    transcript.show_new(standin)
                    print(f"[{current.label}] ", end="", file=out, flush=True)
                print(file=out)
    print("Demo beendet.", file=out)


async def press(standin: BotApiStandIn, persona: Persona, number: int, out: TextIO) -> int | None:
    """Press button ``number`` of the chat's newest keyboard; the update id, if pressed."""
    found = latest_buttons(standin, persona.chat_id)
    if found is None or not 1 <= number <= len(found[1]):
        print(f"Keine Schaltfläche Nr. {number} in diesem Chat.", file=out)
        return None
    message_id, labels = found
    return await standin.press_button(
        persona.user, labels[number - 1], chat=persona.chat_id, message_id=message_id
    )


def demo(settings: Settings, script: Path | None, out: TextIO = sys.stdout) -> None:
    """Entry point of ``monitoring-bot demo``."""
    configure_logging("WARNING")
    logging.getLogger("bot.runtime").setLevel(logging.WARNING)
    if script is not None:
        lines = iterate(script.read_text(encoding="utf-8").splitlines())
        echo = True
    elif sys.stdin.isatty():
        lines, echo = keyboard_lines(), False
    else:
        lines, echo = iterate(sys.stdin.read().splitlines()), True
    asyncio.run(run_demo(settings, lines, out, echo))
