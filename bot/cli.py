"""The ``monitoring-bot`` command line: one entry point with subcommands."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot
from telegram.error import TelegramError

from bot.catalogue_view import catalogue_json, catalogue_tree
from bot.settings import Settings, SettingsError, load_settings
from conversations import texts
from conversations.framework import utcnow
from conversations.people import format_day, invite
from seed.loader import CatalogueError, load_catalogue
from storage.catalogue_read import CatalogueNotLoaded, read_catalogue
from storage.database import create_engine, session_factory
from storage.models import Office
from storage.people import OfficeLookup, find_office
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
        "Datenbank; Sie chatten im Terminal als Ansprechperson, Koordination oder Gast.",
    )
    demo.add_argument(
        "--script", type=Path, metavar="DATEI", help="Eingaben aus einer Datei statt der Tastatur"
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
    commands.add_parser(
        "run",
        help="den Bot starten",
        description="Startet den Bot (Long Polling). Braucht TELEGRAM_BOT_TOKEN.",
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
        until_text = format_day(until, settings.zone)
        print(texts.CLI_INVITE_LINK.format(target=target, until=until_text), file=out)
        print(link, file=out)
        return EXIT_OK

    return _with_engine(settings, work)


def cmd_demo(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from bot.demo import demo

    if args.script is not None and not args.script.is_file():
        raise CommandError(f"Skript {args.script} nicht gefunden.", EXIT_USAGE)
    demo(settings, args.script, out)
    return EXIT_OK


def cmd_run(_args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    if settings.telegram_bot_token is None:
        raise CommandError(NO_TOKEN, EXIT_USAGE)
    from bot.runtime import run_bot

    async def check(engine: AsyncEngine) -> int:
        await require_current_schema(engine)
        return EXIT_OK

    _with_engine(settings, check)
    run_bot(settings)
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings, TextIO], int]] = {
    "init": cmd_init,
    "catalogue": cmd_catalogue,
    "invite": cmd_invite,
    "demo": cmd_demo,
    "run": cmd_run,
}


if __name__ == "__main__":
    raise SystemExit(main())
