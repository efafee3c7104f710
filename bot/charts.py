"""The /stats chart: the last weeks as grouped bars in a PNG, readable on a phone."""

from __future__ import annotations

import io
from dataclasses import dataclass

from bot.domain.progress import WeeklySeries

WIDTH_PX = 1200
HEIGHT_PX = 800
DPI = 100
# large enough to read on a phone without zooming, where the picture is about 400 px wide
BASE_FONT = 22
# told apart without colour vision too (Okabe–Ito palette), and hatched as well
COLOURS = ("#0072B2", "#E69F00", "#009E73")
HATCHES = ("", "//", "..")


@dataclass(frozen=True)
class ChartTexts:
    """Every word on the chart, already in the user's language."""

    title: str
    applications: str
    interviews: str
    follow_ups: str
    week_labels: tuple[str, ...]
    goal: str | None = None


def render_weekly_chart(series: WeeklySeries, texts: ChartTexts, goal: int | None = None) -> bytes:
    """A PNG of applications, interviews and follow-ups per week, with the goal as a line.

    Blocking and CPU-bound: call it in a worker thread. matplotlib is imported here, not at
    module level, so a bot that never draws a chart never loads it."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    if len(texts.week_labels) != len(series.weeks):
        raise ValueError("one label per week is needed")
    # a Figure of its own, not pyplot: pyplot's global state is not safe across threads
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    count = len(series.weeks)
    width = 0.27
    columns = (
        (texts.applications, series.applications),
        (texts.interviews, series.interviews),
        (texts.follow_ups, series.follow_ups),
    )
    for n, (label, values) in enumerate(columns):
        positions = [week + (n - 1) * width for week in range(count)]
        bars = axes.bar(
            positions,
            values,
            width,
            label=label,
            color=COLOURS[n],
            hatch=HATCHES[n],
            edgecolor="white",
            linewidth=0.8,
        )
        axes.bar_label(
            bars,
            labels=[str(v) if v else "" for v in values],
            padding=3,
            fontsize=BASE_FONT - 6,
        )
    if goal is not None and texts.goal is not None:
        axes.axhline(goal, color="#CC3311", linestyle="--", linewidth=2.5, label=texts.goal)
    top = max([*series.applications, *series.interviews, *series.follow_ups, goal or 0, 1])
    # room above the tallest bar for its number and for the legend
    axes.set_ylim(0, top * 1.35 + 0.5)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    # a long label ("This week" in some languages) takes two lines, not its neighbour's room
    labels = [
        label.replace(" ", "\n", 1) if len(label) > 9 else label for label in texts.week_labels
    ]
    axes.set_xticks(range(count), labels)
    axes.tick_params(axis="both", labelsize=BASE_FONT - 4)
    axes.tick_params(axis="x", length=0)
    axes.set_title(texts.title, fontsize=BASE_FONT + 4, pad=16)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    handles, names = axes.get_legend_handles_labels()
    # the goal line is drawn last but reads best after the bars it measures
    order = sorted(range(len(names)), key=lambda n: names[n] == texts.goal)
    axes.legend(
        [handles[n] for n in order],
        [names[n] for n in order],
        loc="upper left",
        fontsize=BASE_FONT - 4,
        frameon=False,
        ncols=2,
        handlelength=1.4,
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
