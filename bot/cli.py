"""The ``monitoring-bot`` command line: one entry point with subcommands."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.catalogue_view import catalogue_json, catalogue_tree
from bot.settings import Settings, SettingsError, load_settings
from seed.loader import CatalogueError, load_catalogue
from storage.catalogue_read import CatalogueNotLoaded, read_catalogue
from storage.database import create_engine, session_factory
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
    "run": cmd_run,
}


if __name__ == "__main__":
    raise SystemExit(main())
