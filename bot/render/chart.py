"""Status charts: how many horizon targets of each field of action stand where, how the
targets of one measure stood over the rounds, and how each field developed over them.

Drawn with matplotlib's object-oriented API on an explicit Agg canvas (no pyplot, no
display, no global figure registry), so it is safe to call from any thread and keeps
nothing alive after it returns.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.render import texts
from storage.answers import Answer, by_round_and_office
from storage.development import RoundStatus
from storage.models import Status
from storage.status import FieldState, MeasureState, Snapshot

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Segment order and colours, matching the emoji of texts.STATUS_LABELS; None: no report yet.
SEGMENTS: tuple[tuple[Status | None, str], ...] = (
    (Status.ACHIEVED, "#2e8b3e"),  # ✅
    (Status.ON_TRACK, "#7cc47f"),  # 🟢
    (Status.DELAYED, "#f4c430"),  # 🟡
    (Status.AT_RISK, "#d8392b"),  # 🔴
    (Status.NOT_STARTED, "#e4e4e4"),  # ⚪
    (Status.DROPPED, "#1f1f1f"),  # ⚫
    (None, "#9a9a9a"),  # ohne Bericht
)
DARK = {Status.ACHIEVED, Status.AT_RISK, Status.DROPPED}  # segments that need white numbers
WIDTH_PX, HEIGHT_PX, DPI = 1000, 500, 100
HISTORY_MIN_ROUNDS = 3  # /verlauf draws the history from this many rounds on
HISTORY_CHART_ROUNDS = 24  # the newest rounds drawn
DEVELOPMENT_MIN_ROUNDS = 3  # the 📊 button adds the development from this many rounds on
DEVELOPMENT_COLUMNS = 2  # panels side by side
DEVELOPMENT_ROW_PX = 250  # height per row of panels
DEVELOPMENT_DATES = 8  # at most this many dates under a panel


# matplotlib (with numpy and Pillow about 40 MB) is imported when the first chart is drawn,
# not when the bot starts: a process may run for weeks without drawing one.


def _new_figure(**options: Any) -> Figure:
    """A figure on its own Agg canvas (no pyplot, no global backend)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(**options)
    FigureCanvasAgg(figure)
    return figure


def _whole_numbers() -> Any:
    """An axis locator with whole-number ticks only."""
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def segment_label(status: Status | None) -> str:
    return texts.STATUS_WORDS[status.value] if status is not None else texts.NO_REPORT


def status_counts(field: FieldState) -> Counter[Status | None]:
    """Horizon targets of the field by overall status (None: nobody has reported)."""
    return Counter(target.overall for target in field.targets())


def status_chart(snapshot: Snapshot, day: date) -> bytes:
    """A PNG of 1000×500 px: a stacked horizontal bar per field of action."""
    figure = _new_figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    names = [
        textwrap.fill(f"{field.numeral} {field.title}", 26, max_lines=2, placeholder="…")
        for field in snapshot.fields
    ]
    counts = [status_counts(field) for field in snapshot.fields]
    positions = list(range(len(names)))
    left = _stacked(axes, positions, counts, horizontal=True)
    axes.set_yticks(positions, names, fontsize=9)
    axes.set_ylim(max(len(names), 1) - 0.5, -0.5)  # field I at the top
    axes.xaxis.set_major_locator(_whole_numbers())
    axes.set_xlim(0, max([*left, 1]))
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_xlabel(texts.CHART_AXIS)
    axes.set_title(texts.CHART_TITLE.format(day=day.strftime("%d.%m.%Y")), fontsize=12)
    return _with_legend_as_png(figure)


EDGE = "#555555"  # the thin line between a bar's segments


def _stacked(
    axes: Axes,
    positions: list[int],
    counts: Sequence[Counter[Status | None]],
    horizontal: bool,
    numbered: bool = True,
) -> list[int]:
    """One stacked bar per count, a segment per status (with its number unless not
    ``numbered``); the bars' ends."""
    ends = [0] * len(counts)
    for status, colour in SEGMENTS:
        sizes = [count[status] for count in counts]
        if horizontal:
            bars = axes.barh(
                positions, sizes, left=ends, color=colour, edgecolor=EDGE, linewidth=0.5
            )
        else:
            bars = axes.bar(
                positions, sizes, bottom=ends, color=colour, edgecolor=EDGE, linewidth=0.5
            )
        if numbered:
            axes.bar_label(
                bars,
                labels=[str(size) if size else "" for size in sizes],
                label_type="center",
                fontsize=9,
                color="white" if status in DARK else "black",
            )
        ends = [end + size for end, size in zip(ends, sizes, strict=True)]
    return ends


def _with_legend_as_png(figure: Figure) -> bytes:
    from matplotlib.patches import Patch

    figure.legend(
        handles=[
            Patch(facecolor=colour, edgecolor="#555555", linewidth=0.5, label=segment_label(status))
            for status, colour in SEGMENTS
        ],
        loc="outside lower center",
        ncols=len(SEGMENTS),
        frameon=False,
        fontsize=9,
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def history_counts(
    measure: MeasureState, history: Sequence[Answer]
) -> dict[date, Counter[Status | None]]:
    """Per round with a report (oldest first): the answers of each office's last version by
    status; None counts the targets of responsible offices that did not report that round."""
    expected = {(target.id, office) for target in measure.targets for office in measure.offices}
    counts: dict[date, Counter[Status | None]] = {}
    for opens_on, offices in by_round_and_office(history).items():
        found: Counter[Status | None] = Counter()
        answered: set[tuple[int, str]] = set()
        for office, versions in offices.items():
            for answer in versions[-1]:
                if answer.target_id is not None:
                    found[answer.status] += 1
                    answered.add((answer.target_id, office))
        found[None] += len(expected - answered)
        counts[opens_on] = found
    return counts


def history_chart(
    measure: MeasureState, history: Sequence[Answer], rounds: int = HISTORY_CHART_ROUNDS
) -> bytes:
    """A PNG of 1000×500 px: a stacked column per round (the newest ``rounds``), the answers
    of each target and office by status, "ohne Bericht" where a responsible office did not
    report."""
    counts = list(history_counts(measure, history).items())[-rounds:]
    figure = _new_figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(counts)))
    bottom = _stacked(axes, positions, [found for _day, found in counts], horizontal=False)
    labels = [opens_on.strftime("%d.%m.%Y") for opens_on, _found in counts]
    axes.set_xticks(positions, labels, fontsize=9, rotation=45 if len(counts) > 8 else 0)
    axes.yaxis.set_major_locator(_whole_numbers())
    axes.set_ylim(0, max([*bottom, 1]))
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_xlabel(texts.HISTORY_CHART_ROUNDS)
    axes.set_ylabel(texts.HISTORY_CHART_AXIS)
    axes.set_title(texts.HISTORY_CHART_TITLE.format(code=measure.code), fontsize=12)
    return _with_legend_as_png(figure)


def history_rounds(history: Sequence[Answer]) -> int:
    """How many rounds ``history`` has reports in."""
    return len({answer.round_id for answer in history})


def development_figure(rounds: Sequence[RoundStatus], titles: Mapping[str, str]) -> Figure:
    """The figure of :func:`development_chart`: a panel per field of action, in plan order."""
    numerals = list(dict.fromkeys(numeral for found in rounds for numeral, _counts in found.fields))
    columns = max(1, min(DEVELOPMENT_COLUMNS, len(numerals)))  # one field: the whole width
    rows = max(1, math.ceil(len(numerals) / columns))
    figure = _new_figure(
        figsize=(WIDTH_PX / DPI, rows * DEVELOPMENT_ROW_PX / DPI), dpi=DPI, layout="constrained"
    )
    positions = list(range(len(rounds)))
    # every step-th round from the newest back, so that the newest is always named
    step = max(1, math.ceil(len(rounds) / DEVELOPMENT_DATES))
    dated = positions[::-1][::step][::-1]
    dates = [rounds[at].opens_on.strftime("%d.%m.%y") for at in dated]
    per_round = [dict(found.fields) for found in rounds]
    for number, numeral in enumerate(numerals, start=1):
        axes = figure.add_subplot(rows, columns, number)
        counts = [fields.get(numeral, Counter()) for fields in per_round]
        tops = _stacked(axes, positions, counts, horizontal=False, numbered=False)
        axes.set_xticks(dated, dates, fontsize=8)
        axes.set_xlim(-0.6, len(rounds) - 0.4)
        axes.yaxis.set_major_locator(_whole_numbers())
        axes.tick_params(axis="y", labelsize=8)
        axes.set_ylim(0, max([*tops, 1]))
        axes.grid(axis="y", color="#dddddd", linewidth=0.6)
        axes.set_axisbelow(True)
        axes.spines[["top", "right"]].set_visible(False)
        title = f"{numeral} {titles.get(numeral, '')}".strip()
        axes.set_title(textwrap.shorten(title, 55, placeholder=" …"), fontsize=10, loc="left")
    figure.suptitle(texts.DEVELOPMENT_CHART_TITLE, fontsize=12)
    figure.supylabel(texts.HISTORY_CHART_AXIS, fontsize=9)
    return figure


def development_chart(rounds: Sequence[RoundStatus], titles: Mapping[str, str]) -> bytes:
    """A PNG 1000 px wide, 250 px per row of panels: a panel per field of action (``titles``:
    numeral → title), a stacked column per round with the answers of each target and office
    by status, "ohne Bericht" where a responsible office did not report."""
    return _with_legend_as_png(development_figure(rounds, titles))
