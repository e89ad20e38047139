"""The packages import in one direction only, so each part can change without the ones above.

From top to bottom: the application (command line, runtime, demo, job wiring) uses the
handlers, which use the renderings, which use the configuration, storage and the
catalogue. A module may import its own layer and the layers below it, never one above.
The Bot API stand-in stands apart: it uses nothing of the product, and only the demo
and the tests use it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "conversations", "storage", "seed")

# Top to bottom; a module belongs to the layer of the longest prefix that names it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Anwendung", ("bot",)),
    ("Dialoge", ("conversations",)),
    ("Darstellung", ("bot.render",)),
    ("Konfiguration", ("bot.config",)),
    ("Speicher", ("storage",)),
    ("Katalog", ("seed",)),
)
STANDIN = "bot.standin"
STANDIN_USERS = ("bot.demo",)  # besides the tests


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_of(module: str) -> int | None:
    """The index in :data:`LAYERS` of the module's layer (0 is the top); None: not ours."""
    best: tuple[int, int] | None = None  # (prefix length, layer)
    for number, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if _within(module, prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), number)
    return best[1] if best else None


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> Iterator[str]:
    """Every module ``source`` imports, anywhere in it (inside functions too)."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            # "from bot.render import texts" imports bot.render.texts; "from x import f" is
            # checked as x.f, which lies in x's layer
            yield from (f"{name}.{alias.name}" for alias in node.names)


def problems(module: str, source: str, is_package: bool = False) -> list[str]:
    """What is wrong with the imports of ``module``, in German, one line each."""
    found = []
    own = layer_of(module)
    standin = _within(module, STANDIN)
    for name in sorted(set(imported_modules(source, module, is_package))):
        if name.split(".")[0] not in PACKAGES:
            continue
        if _within(name, STANDIN):
            if not standin and not any(_within(module, user) for user in STANDIN_USERS):
                found.append(f"{module} importiert den Bot-API-Ersatz ({name})")
            continue
        if standin:
            found.append(f"{module} (Bot-API-Ersatz) importiert Produktcode ({name})")
            continue
        target = layer_of(name)
        if own is not None and target is not None and target < own:
            found.append(
                f"{module} ({LAYERS[own][0]}) importiert {name} aus der Schicht darüber "
                f"({LAYERS[target][0]})"
            )
    return found


def product_modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield module_name(path), path


def test_every_module_has_a_layer() -> None:
    modules = [module for module, _path in product_modules()]
    assert len(modules) > 40
    assert all(layer_of(module) is not None for module in modules)


def test_no_module_imports_upwards_and_the_standin_stands_apart() -> None:
    found = [
        problem
        for module, path in product_modules()
        for problem in problems(module, path.read_text(encoding="utf-8"), path.stem == "__init__")
    ]
    assert found == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("storage.models", "from bot.render import texts", "storage.models (Speicher)"),
        ("bot.render.views", "import conversations.framework", "bot.render.views (Darstellung)"),
        ("bot.render.views", "from bot import runtime", "bot.render.views (Darstellung)"),
        ("bot.config.settings", "from bot.render.texts import ERROR", "bot.config.settings"),
        ("conversations.status", "def f():\n    from bot.jobs import tick\n", "Anwendung"),
        ("seed.loader", "from ..storage import models", "seed.loader (Katalog)"),
        ("conversations.framework", "from bot.standin import FakeUser", "Bot-API-Ersatz"),
        ("bot.standin.server", "from bot.config.settings import Settings", "Produktcode"),
    ],
)
def test_an_upward_import_is_found(module: str, source: str, expected: str) -> None:
    [problem] = problems(module, source)
    assert expected in problem


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("bot.cli", "from conversations.people import invite\nfrom storage.models import Office"),
        ("conversations.status", "from bot.render import texts\nfrom bot.config import settings"),
        ("bot.render.views", "from bot.config.timetable import Timetable"),
        ("bot.render.views", "from . import texts"),
        ("bot.demo", "from bot.standin import BotApiStandIn"),
        ("storage.setup", "import seed.schema\nimport sqlalchemy"),
    ],
)
def test_imports_downwards_and_sideways_are_fine(module: str, source: str) -> None:
    assert problems(module, source) == []


NO_TELEGRAM = ("bot.render", "bot.config", "storage", "seed")


def test_only_the_application_and_the_dialogues_know_telegram() -> None:
    """Rendering, configuration, storage and the catalogue work without python-telegram-bot."""
    found = [
        f"{module} importiert {name}"
        for module, path in product_modules()
        if any(_within(module, prefix) for prefix in NO_TELEGRAM)
        for name in imported_modules(path.read_text(encoding="utf-8"), module)
        if name.split(".")[0] == "telegram"
    ]
    assert found == []
