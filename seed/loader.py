"""Read and validate a catalogue file (YAML or JSON).

Every problem becomes one :class:`CatalogueError` whose message names the file, the place
in it (path and line) and what is wrong, so that whoever edits the file can fix it
without reading a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from seed.schema import Catalogue

BUNDLED_CATALOGUE = "mainz.yaml"

# "fields[2].goals[0].code: ..." at the start of a message raised by a model validator
_EMBEDDED_PATH = re.compile(r"^(?P<path>[a-z_]+(?:\[\d+\]|\.[a-z_]+)*): (?P<rest>.*)$", re.DOTALL)
_PATH_PART = re.compile(r"([a-z_]+)|\[(\d+)\]")


class CatalogueError(Exception):
    """A catalogue file that cannot be used; ``str()`` is the message for the operator."""


def bundled_catalogue_path() -> Path:
    """The Mainz catalogue shipped with the package."""
    return Path(str(resources.files("seed").joinpath(BUNDLED_CATALOGUE)))


def load_catalogue(path: Path | str | None = None) -> Catalogue:
    """Load and validate a catalogue; ``None`` means the bundled Mainz plan."""
    file = Path(path) if path is not None else bundled_catalogue_path()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueError(f"{file}: Datei nicht gefunden") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogueError(f"{file}: Datei nicht lesbar ({error})") from None
    return parse_catalogue(text, source=str(file))


def parse_catalogue(text: str, *, source: str) -> Catalogue:
    """Validate catalogue text; ``source`` names it in error messages."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"Zeile {mark.line + 1}, Spalte {mark.column + 1}" if mark else "unbekannte Stelle"
        raise CatalogueError(f"{source}: {where}: ungültige Syntax ({error.problem})") from None
    except yaml.YAMLError as error:
        raise CatalogueError(f"{source}: ungültige Syntax ({error})") from None
    if not isinstance(data, dict):
        raise CatalogueError(f"{source}: erwartet wird eine Zuordnung mit 'fields', 'offices', …")
    try:
        return Catalogue.model_validate(data)
    except ValidationError as error:
        raise CatalogueError(_describe(error, root, source)) from None


def _describe(error: ValidationError, root: yaml.Node | None, source: str) -> str:
    """The first validation problem as 'file: place (Zeile n): problem'."""
    first = error.errors(include_url=False)[0]
    path = [
        part
        for part in first["loc"]
        if not isinstance(part, str) or not part.startswith("function-")
    ]
    message = str(first["msg"]).removeprefix("Value error, ")
    embedded = _EMBEDDED_PATH.match(message)
    if embedded:
        path = path + _split_path(embedded["path"])
        message = embedded["rest"]
    place = _format_path(path)
    line = _line_of(root, path)
    where = f"{place} (Zeile {line})" if line else place
    more = len(error.errors()) - 1
    suffix = f" (und {more} weitere Fehler)" if more else ""
    return f"{source}: {where}: {_german(first['type'], message, first.get('input'))}{suffix}"


def _german(kind: str, message: str, value: object) -> str:
    if kind == "enum":
        return f"unbekannter Begriff {value!r}; erlaubt sind kurz, mittel, lang"
    translations = {
        "missing": "Angabe fehlt",
        "extra_forbidden": "unbekannter Eintrag",
        "too_short": "darf nicht leer sein",
        "string_too_short": "darf nicht leer sein",
        "string_type": "erwartet wird ein Text",
        "tuple_type": "erwartet wird eine Liste",
        "dict_type": "erwartet wird eine Zuordnung",
        "model_type": "erwartet wird eine Zuordnung",
    }
    return translations.get(kind, message)


def _split_path(text: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _PATH_PART.findall(text)]


def _format_path(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "Datei"


def _line_of(root: yaml.Node | None, path: Sequence[str | int]) -> int | None:
    """The 1-based line of the deepest node of ``path`` that exists in the YAML tree."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in path:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    child = value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if part < len(node.value) else None
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line
