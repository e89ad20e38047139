"""``monitoring-bot demo``: chat with the bot in the terminal, no token or configuration needed.

The demo starts the local Bot API stand-in, a fresh SQLite database in a temporary
directory and the real bot, creates a demo coordinator and a demo contact, and lets the
person at the terminal speak as either of them, as a stranger, or in the coordination
group. Input comes from the keyboard, from a file (``--script``) or from standard input.

The bot runs on the demo's own clock (:mod:`bot.demo_clock`): ``:zeit`` moves it forward
and then runs the scheduled job once, so that rounds open, reminders, the escalation and
the weekly summary can be seen; the JobQueue's own timer is switched off. What the bot
sends to a persona other than the one typing waits until one switches to it (a line says
so). Files the bot sends are written to a folder that is kept (:mod:`bot.demo_files`).
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import re
import sys
import tempfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy import select

from bot.config.settings import Settings, load_settings
from bot.demo_clock import DemoClock, TimeInputError, describe, parse_move
from bot.demo_files import KINDS, FileFolder
from bot.logging_setup import configure_logging
from bot.runtime import (
    SCHEDULE_JOB,
    BotApplication,
    HandledUpdates,
    build_application,
    serving,
    track_handled,
)
from bot.standin import DOWNLOAD_LIMIT, BotApiStandIn, FakeChat, FakeUser, SentMessage
from seed.loader import load_catalogue
from storage.database import create_engine, session_factory
from storage.models import Office, Role
from storage.people import add_contact
from storage.reporting import open_round
from storage.setup import init_database

DEMO_GROUP_ID = -1000000000001
CONTACT_OFFICES = ("Flüchtlingskoordination", "Amt für soziale Leistungen")
PICTURES = frozenset({".jpg", ".jpeg", ".png"})  # sent as photos, as Telegram apps do
VOICE = frozenset({".ogg", ".oga", ".opus"})

INTRO = """\
Demo des Integrationsmonitoring-Bots (lokal, ohne Telegram; Daten nur für diese Sitzung).
Demo-Zeit: {now}.
Dateien, die der Bot sendet, speichert die Demo in {folder}
(der Ordner bleibt nach dem Ende erhalten).

Sie schreiben als eine dieser Personen:
  :kontakt       Karl Kontakt, Ansprechperson für {offices}
  :koordination  Clara Koordina, Koordinierungsstelle
  :gruppe        Clara in der Gruppe der Koordinierungsstelle
  :gast          Gerd Gast, noch nicht freigeschaltet
Eingaben: Text oder /befehl senden; eine Zahl drückt die Schaltfläche mit dieser Nummer.
Nachrichten an eine andere Person warten, bis Sie zu ihr wechseln.
  :zeit +1w      Uhr des Bots vorstellen: +3d Tage, +2h Stunden, +30min, +1mon Monate
  :zeit 04.01.2027 09:00
                 Uhr auf diesen Zeitpunkt stellen. Danach läuft der Zeitplan einmal:
                 Runden öffnen, Erinnerungen, Mahnung, Wochenzusammenfassung.
  :datei PFAD    eine Datei senden (ein Foto, PDF, … als Beleg im Bericht)
  :hilfe         diese Übersicht
  :ende          Demo beenden
Zum Einstieg: /start, dann /bericht (die Berichtsrunde {opens} bis {due} ist geöffnet).
"""
COMMANDS = (":zeit", ":datei", ":hilfe", ":ende")
_COMMAND = re.compile(r":(zeit|datei)\b(.*)", re.IGNORECASE)  # also ":zeit+1w"


@dataclass(frozen=True)
class Persona:
    key: str
    label: str
    user: FakeUser
    chat: FakeChat | None = None  # None: the person's private chat

    @property
    def chat_id(self) -> int:
        return self.chat.id if self.chat else self.user.id


def waiting_line(key: str, new: int, changed: int) -> str:
    """'» 2 neue Nachrichten für :gruppe (anzeigen mit :gruppe)'."""
    counts = [f"{new} neue"] if new else []
    counts += [f"{changed} geänderte"] if changed else []
    noun = "Nachricht" if new + changed == 1 else "Nachrichten"
    return f"» {' und '.join(counts)} {noun} für :{key} (anzeigen mit :{key})"


@dataclass
class Transcript:
    """Prints what the bot sent or changed, chat by chat, with numbered buttons.

    Only the chat of the persona who is typing is shown; for the others a line says how
    many messages wait there, and they are shown on switching to that persona, under the
    demo time they arrived at. Files are saved to ``folder`` as soon as they arrive,
    wherever they go.
    """

    out: TextIO
    personas: dict[int, Persona]  # by chat id
    folder: FileFolder
    printed: dict[tuple[int, int], int] = field(default_factory=dict)  # versions shown
    saved: dict[tuple[int, int], str] = field(default_factory=dict)  # the line for its file
    arrived: dict[tuple[int, int], str] = field(default_factory=dict)  # demo time, first seen
    announced: dict[int, int] = field(default_factory=dict)  # waiting messages told of

    def update(self, standin: BotApiStandIn, current: Persona, moment: str) -> None:
        """Note what arrived (at demo time ``moment``) and save its files; show the current
        persona's chat and tell of the others'."""
        for chat_id in self.personas:
            for message in standin.sent_messages(chat_id):
                key = (chat_id, message.message_id)
                if key not in self.arrived:
                    self.arrived[key] = moment
                    self.save_file(key, message)
        self.show_chat(standin, current, moment)
        for chat_id, persona in self.personas.items():
            if chat_id == current.chat_id:
                continue
            new, changed = self.waiting(standin, chat_id)
            if new + changed > self.announced.get(chat_id, 0):
                print(waiting_line(persona.key, new, changed), file=self.out)
            self.announced[chat_id] = new + changed

    def waiting(self, standin: BotApiStandIn, chat_id: int) -> tuple[int, int]:
        """How many messages in the chat are new, and how many changed, since shown."""
        new = changed = 0
        for message in self._unseen(standin, chat_id):
            if (chat_id, message.message_id) in self.printed:
                changed += 1
            else:
                new += 1
        return new, changed

    def show_chat(self, standin: BotApiStandIn, persona: Persona, moment: str) -> None:
        """Print what is new in the persona's chat; what waited there under its time."""
        heading = moment
        for message in self._unseen(standin, persona.chat_id):
            key = (persona.chat_id, message.message_id)
            arrived = self.arrived.get(key, moment)
            if arrived != heading:
                print(f"(eingegangen {arrived})", file=self.out)
                heading = arrived
            edited = key in self.printed
            self.printed[key] = len(message.edit_history) + 1
            self.show(message, persona.label, edited)
        self.announced[persona.chat_id] = 0

    def _unseen(self, standin: BotApiStandIn, chat_id: int) -> list[SentMessage]:
        return [
            message
            for message in standin.sent_messages(chat_id)
            if not message.deleted
            and self.printed.get((chat_id, message.message_id)) != len(message.edit_history) + 1
        ]

    def save_file(self, key: tuple[int, int], message: SentMessage) -> None:
        if message.file is None:
            return
        word = KINDS.get(message.kind, KINDS["document"])[0]
        try:
            path = self.folder.save(message.kind, message.file.filename, message.file.content)
        except OSError as error:
            self.saved[key] = f"[{word} nicht gespeichert: {error}]"
        else:
            self.saved[key] = f"[{word} gespeichert: {path}]"

    def show(self, message: SentMessage, chat_name: str, edited: bool) -> None:
        header = f"── Bot an {chat_name}{' (geändert)' if edited else ''} ──"
        print(header, file=self.out)
        if message.kind != "text":
            line = self.saved.get((message.chat_id, message.message_id))
            print(line or f"[{message.kind}: {message.filename or ''}]", file=self.out)
        if message.plain_text:
            print(message.plain_text, file=self.out)
        labels = [label for row in message.buttons for label in row]
        for number, label in enumerate(labels, start=1):
            print(f"  [{number}] {label}", file=self.out)
        print(file=self.out)

    def unread_lines(self, standin: BotApiStandIn) -> list[str]:
        """For the end: what nobody looked at."""
        lines = []
        for chat_id, persona in self.personas.items():
            new, changed = self.waiting(standin, chat_id)
            if new + changed:
                noun = "Nachricht" if new + changed == 1 else "Nachrichten"
                lines.append(f"Nicht angesehen: {new + changed} {noun} für :{persona.key}.")
        return lines


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


async def prepare_database(settings: Settings, now: datetime) -> tuple[date, date]:
    """A fresh database with the demo's people and the current period's round (its dates)."""
    engine = create_engine(settings.effective_database_url)
    try:
        await init_database(engine, load_catalogue(settings.catalogue_path))
        async with session_factory(engine)() as session, session.begin():
            offices = list(
                await session.scalars(select(Office).where(Office.name.in_(CONTACT_OFFICES)))
            )
            await add_contact(
                session, telegram_user_id=1001, display_name="Clara Koordina",
                role=Role.COORDINATOR, now=now,
            )  # fmt: skip
            await add_contact(
                session, telegram_user_id=1002, display_name="Karl Kontakt",
                role=Role.CONTACT, offices=offices, now=now,
            )  # fmt: skip
            # The round the scheduler would have opened for this period (without its
            # messages), so that the next period's round opens on schedule after :zeit.
            timetable = settings.timetable
            start = timetable.period_start(timetable.today(now))
            round_, _ = await open_round(
                session, today=start, cadence=settings.reporting_cadence, now=now
            )
            return round_.opens_on, round_.due_on
    finally:
        await engine.dispose()


@dataclass
class Demo:
    """One demo session: the personas, the bot, its clock, and what was shown."""

    standin: BotApiStandIn
    application: BotApplication
    handled: HandledUpdates
    settings: Settings
    clock: DemoClock
    personas: dict[str, Persona]
    transcript: Transcript
    folder: FileFolder
    round_dates: tuple[date, date]
    out: TextIO
    current: Persona = field(init=False)

    def __post_init__(self) -> None:
        self.current = self.personas["kontakt"]

    def say(self, text: str = "", end: str = "\n") -> None:
        print(text, file=self.out, end=end, flush=True)

    def intro(self) -> str:
        opens, due = self.round_dates
        return INTRO.format(
            now=self.now(),
            folder=self.folder.path,
            offices=" und ".join(CONTACT_OFFICES),
            opens=f"{opens:%d.%m.%Y}",
            due=f"{due:%d.%m.%Y}",
        )

    def now(self) -> str:
        return describe(self.clock(), self.settings.zone)

    def prompt(self) -> None:
        self.say(f"[{self.current.label}] ", end="")

    async def step(self, line: str) -> None:
        """Handle one input line (not ``:ende``) and show what came of it."""
        command = _COMMAND.match(line)
        if line == ":hilfe":
            self.say(self.intro())
        elif command is not None and command[1].lower() == "zeit":
            await self.move_clock(command[2])
        elif command is not None:
            await self.send_file(command[2])
        elif line.startswith(":"):
            chosen = self.personas.get(line[1:].lower())
            if chosen is None:
                choices = ", ".join([*(f":{key}" for key in self.personas), *COMMANDS])
                self.say(f"Unbekannt. Möglich: {choices}")
            else:
                self.current = chosen
        elif line.isdigit():
            update_id = await self.press(int(line))
            if update_id is not None:
                await self.handled.wait_for(update_id)
        elif line:
            await self.handled.wait_for(
                await self.standin.send_text(self.current.user, line, self.current.chat)
            )
        self.transcript.update(self.standin, self.current, self.now())

    async def press(self, number: int) -> int | None:
        """Press button ``number`` of the chat's newest keyboard; the update id, if pressed."""
        persona = self.current
        found = latest_buttons(self.standin, persona.chat_id)
        if found is None or not 1 <= number <= len(found[1]):
            self.say(f"Keine Schaltfläche Nr. {number} in diesem Chat.")
            return None
        message_id, labels = found
        return await self.standin.press_button(
            persona.user, labels[number - 1], chat=persona.chat_id, message_id=message_id
        )

    async def move_clock(self, argument: str) -> None:
        zone = self.settings.zone
        if not argument.strip():
            self.say(f"Demo-Zeit: {self.now()}.")
            return
        try:
            target = parse_move(argument, self.clock(), zone)
        except TimeInputError as error:
            self.say(str(error))
            return
        self.clock.set(target)
        self.say(f"Demo-Zeit: {describe(target, zone)}.")
        before = self.sent_count()
        await self.run_schedule()
        if self.sent_count() == before:
            self.say("Der Zeitplan hatte nichts zu tun.")

    def sent_count(self) -> int:
        return sum(len(self.standin.sent_messages(chat_id)) for chat_id in self.transcript.personas)

    async def run_schedule(self) -> None:
        """Run the scheduled job once now, as the JobQueue's timer would."""
        assert self.application.job_queue is not None
        [job] = self.application.job_queue.get_jobs_by_name(SCHEDULE_JOB)
        await job.run(self.application)

    async def send_file(self, argument: str) -> None:
        """The current persona sends a file from this computer: a picture as a photo."""
        name = argument.strip().strip("\"'")
        if not name:
            self.say("Welche Datei? Beispiel: :datei ~/Bilder/foto.jpg")
            return
        local = await asyncio.to_thread(read_local_file, name)
        if local is None:
            self.say(f"Datei {name} nicht gefunden oder nicht lesbar.")
            return
        path, size, content = local
        user, chat = self.current.user, self.current.chat
        suffix = path.suffix.lower()
        if suffix in PICTURES and size <= DOWNLOAD_LIMIT:
            update_id = await self.standin.send_photo(user, chat, content=content)
        elif suffix in VOICE:
            update_id = await self.standin.send_voice(user, chat, content=content, file_size=size)
        else:
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            update_id = await self.standin.send_document(
                user, chat, filename=path.name, content=content, mime_type=mime, file_size=size
            )
        await self.handled.wait_for(update_id)


def read_local_file(name: str) -> tuple[Path, int, bytes] | None:
    """A file to send: its path, size and content; None if it cannot be read.

    Of a file over Telegram's download limit only the start is read: the stand-in then
    pretends its full size, and the bot answers as it would to such a file.
    """
    path = Path(name).expanduser()
    try:
        if not path.is_file():
            return None
        size = path.stat().st_size
        with path.open("rb") as file:
            return path, size, file.read(size if size <= DOWNLOAD_LIMIT else 4096)
    except OSError:
        return None


async def run_demo(
    base: Settings,
    lines: AsyncIterator[str],
    out: TextIO,
    echo: bool,
    start: datetime | None = None,
) -> None:
    folder = FileFolder.create()
    try:
        await _run(base, lines, out, echo, start, folder)
    finally:
        if folder.close():
            print(f"Die Dateien der Demo bleiben in {folder.path}.", file=out)
    print("Demo beendet.", file=out)


async def _run(
    base: Settings,
    lines: AsyncIterator[str],
    out: TextIO,
    echo: bool,
    start: datetime | None,
    folder: FileFolder,
) -> None:
    clock = DemoClock(start)
    with tempfile.TemporaryDirectory(prefix="monitoring-demo-") as directory:
        async with BotApiStandIn() as standin:
            settings = load_settings(
                telegram_bot_token=standin.token,
                telegram_api_base_url=standin.base_url,
                database_url=f"sqlite+aiosqlite:///{Path(directory) / 'demo.sqlite3'}",
                data_dir=Path(directory) / "daten",  # evidence copies go with the database
                coordination_chat_id=DEMO_GROUP_ID,
                bot_username=None,
                catalogue_path=base.catalogue_path,
                timezone=base.zone,
            )
            round_dates = await prepare_database(settings, clock())
            clara = standin.user(1001, "Clara", "Koordina")
            karl = standin.user(1002, "Karl", "Kontakt")
            gerd = standin.user(1003, "Gerd", "Gast")
            group = standin.group(DEMO_GROUP_ID, "Koordinierungsgruppe")
            for person in (clara, karl):
                standin.open_chat(person)  # they have accounts: they wrote to the bot before
            personas = {
                p.key: p
                for p in (
                    Persona("kontakt", "Kontakt", karl),
                    Persona("koordination", "Koordination", clara),
                    Persona("gruppe", "Gruppe", clara, group),
                    Persona("gast", "Gast", gerd),
                )
            }
            application = build_application(settings, clock=clock)
            handled = track_handled(application)
            async with serving(application, poll_timeout=1):
                # The schedule runs when the demo's clock moves (:zeit), at the demo's time,
                # never on the JobQueue's own timer with the real clock.
                assert application.job_queue is not None
                for job in application.job_queue.jobs():
                    job.enabled = False
                await standin.until_idle()
                transcript = Transcript(out, {p.chat_id: p for p in personas.values()}, folder)
                demo = Demo(
                    standin, application, handled, settings, clock, personas, transcript,
                    folder, round_dates, out,
                )  # fmt: skip
                demo.say(demo.intro())
                demo.prompt()
                async for raw in lines:
                    line = raw.strip()
                    if echo:
                        demo.say(line)
                    if line == ":ende":
                        break
                    await demo.step(line)
                    demo.prompt()
                demo.say()
                for text in transcript.unread_lines(standin):
                    demo.say(text)


def demo(
    settings: Settings, script: Path | None, out: TextIO = sys.stdout, start: datetime | None = None
) -> None:
    """Entry point of ``monitoring-bot demo``; ``start`` sets the demo's clock (UTC)."""
    configure_logging("WARNING")
    logging.getLogger("bot.runtime").setLevel(logging.WARNING)
    if script is not None:
        lines = iterate(script.read_text(encoding="utf-8").splitlines())
        echo = True
    elif sys.stdin.isatty():
        lines, echo = keyboard_lines(), False
    else:
        lines, echo = iterate(sys.stdin.read().splitlines()), True
    asyncio.run(run_demo(settings, lines, out, echo, start))
