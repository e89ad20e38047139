"""The ``monitoring-bot`` command line: one entry point with subcommands."""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import re
import secrets
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import ExtBot

from bot.config.settings import Settings, SettingsError, load_settings
from bot.render import texts
from bot.render.catalogue_view import catalogue_json, catalogue_tree
from bot.render.formatting import day
from conversations.framework import Services, utcnow
from conversations.people import invite
from conversations.report_files import ReportFormat, write_report
from seed.loader import CatalogueError, load_catalogue
from storage.catalogue_read import CatalogueNotLoaded, read_catalogue
from storage.database import create_engine, session_factory
from storage.models import Office
from storage.people import OfficeLookup, find_office
from storage.process_lock import DatabaseInUse, sole_process
from storage.setup import SchemaOutdated, init_database, require_current_schema

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

NO_TOKEN = """\
Es ist kein Bot-Token gesetzt (TELEGRAM_BOT_TOKEN).

So erhalten Sie einen:
  1. Öffnen Sie in Telegram den Chat mit @BotFather und senden Sie /newbot.
  2. Wählen Sie einen Namen und einen Benutzernamen, der auf "bot" endet.
  3. @BotFather antwortet mit einem Token der Form 123456789:ABC…
  4. Tragen Sie ihn in die Datei .env ein:  TELEGRAM_BOT_TOKEN=123456789:ABC…
     (oder setzen Sie die Umgebungsvariable) und starten Sie erneut.
"""


class CommandError(Exception):
    """A failure with a message for the operator; the CLI prints it and exits non-zero."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="monitoring-bot",
        description="Telegram-Bot für das Monitoring des Integrationskonzepts.",
        epilog="Einstellungen kommen aus Umgebungsvariablen oder einer Datei .env (siehe README).",
    )
    commands = parser.add_subparsers(dest="command", metavar="BEFEHL", required=True)
    commands.add_parser(
        "init",
        help="Datenbank anlegen oder aktualisieren und den Maßnahmenkatalog laden",
        description="Legt die Datenbank an oder bringt sie auf den neuesten Stand (ohne "
        "Datenverlust) und lädt den Maßnahmenkatalog. Mehrfach ausführbar.",
    )
    catalogue = commands.add_parser(
        "catalogue",
        help="den geladenen Plan als Baum ausgeben",
        description="Gibt den in der Datenbank geladenen Plan aus.",
    )
    catalogue.add_argument("--json", action="store_true", help="als JSON ausgeben")
    demo = commands.add_parser(
        "demo",
        help="lokale Demo im Terminal, ohne Token",
        description="Startet den Bot mit einem lokalen Ersatz für Telegram und einer frischen "
        "Datenbank; Sie chatten im Terminal als Ansprechperson, Koordination oder Gast. "
        ":zeit stellt die Uhr des Bots vor, :hilfe zeigt alle Eingaben.",
    )
    demo.add_argument(
        "--script", type=Path, metavar="DATEI", help="Eingaben aus einer Datei statt der Tastatur"
    )
    demo.add_argument(
        "--start",
        metavar="ZEIT",
        help='Uhrzeit des Bots zu Beginn, z. B. "07.12.2026 08:30" (Standard: jetzt); '
        "in der Demo stellt :zeit sie vor",
    )
    invite = commands.add_parser(
        "invite",
        help="Einladungslink erzeugen",
        description="Erzeugt einen persönlichen, einmal gültigen Einladungslink. Die letzte "
        "Zeile der Ausgabe ist der Link.",
    )
    who = invite.add_mutually_exclusive_group(required=True)
    who.add_argument("--office", metavar="AMT", help="Ansprechperson für dieses Amt einladen")
    who.add_argument(
        "--coordinator", action="store_true", help="jemanden für die Koordinierungsstelle einladen"
    )
    export_parser = commands.add_parser(
        "export",
        help="Stand und Verlauf als Excel-, PDF- oder CSV-Datei exportieren",
        description="Schreibt den Bericht für den Stadtrat: als Excel-Datei (Übersicht, ein "
        "Blatt je Handlungsfeld, Verlauf aller Berichte), als PDF, oder als zwei CSV-Dateien "
        "(DATEI und DATEI mit '-verlauf' vor der Endung). Die Endung von DATEI muss zum "
        "Format passen.",
    )
    export_parser.add_argument(
        "--format",
        choices=[f.value for f in ReportFormat],
        default=ReportFormat.XLSX.value,
        help="Dateiformat (Standard: xlsx)",
    )
    export_parser.add_argument(
        "-o", "--output", type=Path, required=True, metavar="DATEI", help="Zieldatei"
    )
    summary = commands.add_parser(
        "summary",
        help="Wochenzusammenfassung ausgeben oder posten",
        description="Gibt die aktuelle Wochenzusammenfassung aus. Mit --send wird sie einmal "
        "für die laufende Kalenderwoche in die Koordinationsgruppe gepostet.",
    )
    summary.add_argument(
        "--send", action="store_true", help="in die Koordinationsgruppe posten (einmal je Woche)"
    )
    run = commands.add_parser(
        "run",
        help="den Bot starten",
        description="Startet den Bot: Long Polling, oder mit --webhook (bzw. WEBHOOK_URL) "
        "nimmt er die Updates hinter einem Reverse Proxy an. Braucht TELEGRAM_BOT_TOKEN.",
    )
    run.add_argument(
        "--webhook",
        metavar="URL",
        help="öffentliche HTTPS-Adresse des Webhooks (statt WEBHOOK_URL)",
    )
    backup = commands.add_parser(
        "backup",
        help="Datenbank und Belege in eine Datei sichern (auch bei laufendem Bot)",
        description="Schreibt eine Sicherung (.tar.gz): die Datenbank, ob SQLite oder "
        "PostgreSQL, als SQLite-Datei und die Kopien der Belege aus DATA_DIR. Der Bot darf "
        "dabei laufen; die Sicherung ist ein einheitlicher Stand.",
    )
    backup.add_argument(
        "file", type=Path, metavar="DATEI", help="Zieldatei, z. B. sicherung.tar.gz"
    )
    restore = commands.add_parser(
        "restore",
        help="eine Sicherung zurückspielen",
        description="Spielt eine mit 'backup' geschriebene Sicherung in die konfigurierte "
        "Datenbank und nach DATA_DIR zurück und bringt das Schema auf den neuesten Stand "
        "(wie 'init'). Eine Datenbank, die schon Daten enthält, wird nur mit --force "
        "ersetzt. Den Bot vorher anhalten.",
    )
    restore.add_argument("file", type=Path, metavar="DATEI", help="die Sicherung")
    restore.add_argument(
        "--force", action="store_true", help="vorhandene Daten durch die Sicherung ersetzen"
    )
    copy_database = commands.add_parser(
        "copy-database",
        help="alle Daten in eine andere, leere Datenbank kopieren (z. B. nach PostgreSQL)",
        description="Kopiert alle Daten mit Verlauf aus der konfigurierten Datenbank in eine "
        "leere Zieldatenbank, legt dort das aktuelle Schema an und prüft am Ende die "
        "Zeilenzahl jeder Tabelle. Den Bot vorher anhalten, danach DATABASE_URL umstellen.",
    )
    copy_database.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="Zieldatenbank, z. B. postgresql+asyncpg://benutzer@host:5432/datenbank; das "
        "Passwort besser nicht hier (andere Benutzer sehen es in ps), sondern in PGPASSWORD "
        "oder ~/.pgpass",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        handler = COMMANDS[args.command]
        return handler(args, settings, sys.stdout)
    except (SettingsError, CatalogueError) as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    except CommandError as error:
        print(error, file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; that is not an error of ours.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return EXIT_OK


def _database_label(settings: Settings) -> str:
    return make_url(settings.effective_database_url).render_as_string(hide_password=True)


def _with_engine(settings: Settings, work: Callable[[AsyncEngine], Awaitable[int]]) -> int:
    """Run ``work`` with an engine for the configured database; explain connection failures."""

    async def run() -> int:
        engine = create_engine(settings.effective_database_url)
        try:
            return await work(engine)
        except SchemaOutdated:
            raise CommandError(
                "Die Datenbank ist noch nicht eingerichtet oder veraltet. "
                "Bitte zuerst 'monitoring-bot init' ausführen."
            ) from None
        except BrokenPipeError:
            raise
        except (OperationalError, OSError) as error:
            detail = error.orig if isinstance(error, OperationalError) else error
            raise CommandError(
                f"Datenbank {_database_label(settings)} nicht erreichbar: {detail}"
            ) from None
        except SQLAlchemyError as error:
            raise CommandError(
                f"Datenbankfehler bei {_database_label(settings)}: {error}"
            ) from None
        finally:
            await engine.dispose()

    return asyncio.run(run())


def cmd_init(_args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    catalogue = load_catalogue(settings.catalogue_path)

    async def work(engine: AsyncEngine) -> int:
        result = await init_database(engine, catalogue)
        print(f"Datenbank {_database_label(settings)} ist auf dem neuesten Stand.", file=out)
        print(result.describe(), file=out)
        return EXIT_OK

    return _with_engine(settings, work)


def cmd_catalogue(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    async def work(engine: AsyncEngine) -> int:
        await require_current_schema(engine)
        async with session_factory(engine)() as session:
            try:
                catalogue = await read_catalogue(session)
            except CatalogueNotLoaded:
                raise SchemaOutdated from None
        if args.json:
            json.dump(catalogue_json(catalogue), out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            print(catalogue_tree(catalogue), file=out)
        return EXIT_OK

    return _with_engine(settings, work)


async def bot_username(settings: Settings) -> str:
    """The bot's username: from BOT_USERNAME, or asked from the Bot API (getMe)."""
    if settings.bot_username:
        return settings.bot_username
    if settings.telegram_bot_token is None:
        raise CommandError(
            "Für den Link wird der Benutzername des Bots gebraucht: bitte BOT_USERNAME oder "
            "TELEGRAM_BOT_TOKEN setzen.",
            EXIT_USAGE,
        )
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(), base_url=settings.telegram_api_base_url
    )
    try:
        async with bot:
            return bot.username
    except TelegramError as error:
        raise CommandError(
            f"Die Bot API hat den Benutzernamen nicht geliefert ({error}). "
            "Bitte BOT_USERNAME setzen oder die Verbindung prüfen."
        ) from None


def cmd_invite(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    async def work(engine: AsyncEngine) -> int:
        await require_current_schema(engine)
        username = await bot_username(settings)
        async with session_factory(engine)() as session, session.begin():
            office: Office | None = None
            if args.office is not None:
                outcome, offices = await find_office(session, args.office)
                if outcome is not OfficeLookup.FOUND:
                    problem = (
                        "ist nicht eindeutig"
                        if outcome is OfficeLookup.AMBIGUOUS
                        else "gibt es nicht"
                    )
                    names = "\n".join(f"  {o.name}" for o in offices)
                    raise CommandError(
                        f"Das Amt {args.office!r} {problem}. Möglich sind:\n{names}", EXIT_USAGE
                    )
                office = offices[0]
            link, until = await invite(
                session,
                office=office,
                bot_username=username,
                now=utcnow(),
                valid_days=settings.invitation_valid_days,
            )
        target = office.name if office else texts.INVITE_TARGET_COORDINATOR
        until_text = day(until, settings.zone)
        print(texts.CLI_INVITE_LINK.format(target=target, until=until_text), file=out)
        print(link, file=out)
        return EXIT_OK

    return _with_engine(settings, work)


def export_paths(output: Path, report_format: ReportFormat) -> list[Path]:
    """The files an export writes: the workbook or PDF, or the current-state and history CSV.

    A name whose ending does not match the format is refused: a CSV file named ``.xlsx``
    would not open where people double-click it.
    """
    if output.suffix.lower() != f".{report_format.value}":
        raise CommandError(
            texts.EXPORT_WRONG_ENDING.format(name=output.name, format=report_format.value),
            EXIT_USAGE,
        )
    if report_format.files == 1:
        return [output]
    history = output.with_name(f"{output.stem}{texts.EXPORT_HISTORY_FILE_SUFFIX}{output.suffix}")
    return [output, history]


def _check_export_path(path: Path) -> None:
    if path.is_dir():
        raise CommandError(texts.EXPORT_IS_DIRECTORY.format(path=path))
    if not path.parent.is_dir():
        raise CommandError(texts.EXPORT_NO_DIRECTORY.format(directory=path.parent))


def _not_writable(path: Path, error: OSError) -> CommandError:
    return CommandError(texts.EXPORT_NOT_WRITABLE.format(path=path, reason=error.strerror or error))


@contextmanager
def _replacing(paths: Sequence[Path]) -> Iterator[list[BinaryIO]]:
    """Files that take the place of ``paths`` only once everything is written.

    Each is written as a hidden temporary file next to its target (so permissions follow
    the umask as usual) and renamed over the target at the end; a failed export leaves
    existing files alone.
    """
    opened: list[tuple[BinaryIO, Path, Path]] = []
    try:
        for path in paths:
            temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
            try:
                opened.append((open(temporary, "xb"), temporary, path))  # noqa: SIM115
            except OSError as error:
                raise _not_writable(path, error) from None
        try:
            yield [handle for handle, _, _ in opened]
        except OSError as error:  # while writing; all targets share one directory
            raise _not_writable(paths[0], error) from None
        for handle, temporary, path in opened:
            try:
                handle.close()
                os.replace(temporary, path)
            except OSError as error:
                raise _not_writable(path, error) from None
    finally:
        for handle, temporary, _ in opened:
            handle.close()
            temporary.unlink(missing_ok=True)


def cmd_export(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    report_format = ReportFormat(args.format)
    _check_export_path(args.output)  # a directory is named as such, whatever its ending
    paths = export_paths(args.output, report_format)
    for path in paths[1:]:
        _check_export_path(path)

    async def work(engine: AsyncEngine) -> int:
        await require_current_schema(engine)
        today = utcnow().astimezone(settings.zone).date()
        async with session_factory(engine)() as session:
            with _replacing(paths) as files:
                await write_report(session, today, settings.zone, report_format, files)
        for path in paths:
            print(texts.EXPORT_WRITTEN.format(path=path), file=out)
        return EXIT_OK

    return _with_engine(settings, work)


def cmd_demo(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.demo import demo
    from bot.demo_clock import TimeInputError, parse_moment

    if args.script is not None and not args.script.is_file():
        raise CommandError(f"Skript {args.script} nicht gefunden.", EXIT_USAGE)
    start = None
    if args.start is not None:
        try:
            start = parse_moment(args.start, utcnow(), settings.zone)
        except TimeInputError as error:
            raise CommandError(f"--start: {error}", EXIT_USAGE) from None
    demo(settings, args.script, out, start)
    return EXIT_OK


def plain(text: str) -> str:
    """Telegram HTML as terminal text: tags removed, entities resolved."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def cmd_summary(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from conversations.scheduled import SummaryOutcome, build_summary, post_summary_if_due

    if args.send and settings.telegram_bot_token is None:
        raise CommandError(NO_TOKEN, EXIT_USAGE)
    if args.send and settings.coordination_chat_id is None:
        raise CommandError(texts.SUMMARY_NO_CHAT, EXIT_USAGE)

    async def work(engine: AsyncEngine) -> int:
        await require_current_schema(engine)
        svc = Services(settings, session_factory(engine))
        now = svc.clock()
        year, week = settings.timetable.iso_week(now)
        if not args.send:
            summary, _chart = await build_summary(svc, now)
            print("\n\n".join(plain(part) for part in summary.messages), file=out)
            return EXIT_OK
        assert settings.telegram_bot_token is not None
        bot = ExtBot(
            settings.telegram_bot_token.get_secret_value(), base_url=settings.telegram_api_base_url
        )
        try:
            async with bot:
                outcome = await post_summary_if_due(bot, svc, now, on_schedule=False)
        except TelegramError as error:
            raise CommandError(f"Telegram hat die Nachricht nicht angenommen: {error}") from None
        messages = {
            SummaryOutcome.POSTED: texts.SUMMARY_POSTED,
            SummaryOutcome.ALREADY_POSTED: texts.SUMMARY_ALREADY,
            SummaryOutcome.BUSY: texts.SUMMARY_BUSY,
        }
        print(messages[outcome].format(week=week, year=year), file=out)
        return EXIT_OK

    return _with_engine(settings, work)


def cmd_run(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    if settings.telegram_bot_token is None:
        raise CommandError(NO_TOKEN, EXIT_USAGE)
    if args.webhook is not None:
        settings = load_settings(webhook_url=args.webhook)
    from bot.runtime import Webhook, run_bot, webhook_for

    webhook: Webhook | None = None

    async def check(engine: AsyncEngine) -> int:
        nonlocal webhook
        await require_current_schema(engine)
        if settings.webhook_url is not None:
            webhook = await webhook_for(settings, engine, settings.webhook_url)
        return EXIT_OK

    try:
        with sole_process(settings.effective_database_url):
            _with_engine(settings, check)
            asyncio.run(_check_telegram(settings))
            run_bot(settings, webhook)
    except DatabaseInUse as error:
        raise CommandError(
            texts.database_in_use(_database_label(settings), error.pid, texts.IN_USE_RUN)
        ) from None
    return EXIT_OK


async def _check_telegram(settings: Settings) -> None:
    """Ask Telegram who the bot is, once, before starting: a wrong token or a blocked
    connection is then one line (python-telegram-bot would log a traceback)."""
    assert settings.telegram_bot_token is not None
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(), base_url=settings.telegram_api_base_url
    )
    try:
        await bot.initialize()  # calls getMe
    except InvalidToken:
        raise CommandError(texts.TOKEN_REJECTED, EXIT_USAGE) from None
    except NetworkError as error:
        raise CommandError(
            texts.TELEGRAM_UNREACHABLE.format(url=settings.telegram_api_base_url, error=error)
        ) from None
    finally:
        await bot.shutdown()


def cmd_backup(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.maintenance import backup

    return backup(args.file, settings, out)


def cmd_restore(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.maintenance import restore

    return restore(args.file, args.force, settings, out)


def cmd_copy_database(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.maintenance import copy_to

    return copy_to(args.to, settings, out)


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings, TextIO], int]] = {
    "init": cmd_init,
    "catalogue": cmd_catalogue,
    "invite": cmd_invite,
    "export": cmd_export,
    "summary": cmd_summary,
    "demo": cmd_demo,
    "run": cmd_run,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "copy-database": cmd_copy_database,
}


if __name__ == "__main__":
    raise SystemExit(main())
