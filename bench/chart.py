"""Time and memory to draw one /stats chart, next to an empty matplotlib figure saved alike."""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bench.startup import _rss_mib
from bot.charts import DPI, HEIGHT_PX, WIDTH_PX, ChartTexts, render_weekly_chart
from bot.config import Settings
from bot.domain.progress import Activity, FollowUp, weekly_series

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _empty_figure() -> bytes:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _busy_activity() -> Activity:
    """Eight busy weeks: a few applications a day, interviews and thank-yous every week."""
    days = range(56)
    return Activity(
        applications=[NOW - timedelta(days=d, hours=h) for d in days for h in (1, 5, 9)],
        interviews=[NOW - timedelta(days=d) for d in days if d % 3 == 0],
        follow_ups=[
            FollowUp(due_at=NOW - timedelta(days=d - 2), done_at=NOW - timedelta(days=d))
            for d in days
            if d % 3 == 1
        ],
    )


def _timed(draw: Callable[[], object], runs: int) -> tuple[float, float]:
    """The first call, then the median of the next ones, in milliseconds."""
    started = time.perf_counter()
    draw()
    first = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        draw()
        times.append((time.perf_counter() - started) * 1000)
    return first, statistics.median(times)


def run_chart(runs: int = 10) -> None:
    from bot.app import build_application

    before_app = _rss_mib()
    build_application(Settings(_env_file=None, bot_token="1:bench"))  # type: ignore[call-arg]
    loaded_at_start = "matplotlib" in sys.modules
    after_app = _rss_mib()

    tz = ZoneInfo("Europe/Berlin")
    series = weekly_series(_busy_activity(), NOW, tz)
    texts = ChartTexts(
        title="Deine letzten 8 Wochen",
        applications="Bewerbungen",
        interviews="Gespräche",
        follow_ups="Dankesnachrichten",
        week_labels=tuple(f"{m.day}. {m.month}." for m in series.weeks),
        goal="Wochenziel: 15",
    )

    empty_first, empty_warm = _timed(_empty_figure, runs)
    after_empty = _rss_mib()
    chart_first, chart_warm = _timed(lambda: render_weekly_chart(series, texts, 15), runs)
    after_chart = _rss_mib()
    size = len(render_weekly_chart(series, texts, 15))

    print(f"/stats chart ({WIDTH_PX}×{HEIGHT_PX} PNG, {size / 1024:.0f} KiB), median of {runs}")
    print(f"  matplotlib loaded once the app is built: {loaded_at_start}")
    print(f"  memory after building the app  {after_app:.0f} MiB (was {before_app:.0f} MiB)")
    print("                                 first (imports)   then")
    print(f"  empty figure to PNG (baseline) {empty_first:8.0f} ms {empty_warm:9.0f} ms")
    print(f"  one /stats chart               {chart_first:8.0f} ms {chart_warm:9.0f} ms")
    print(
        f"  memory after the baseline      {after_empty:.0f} MiB (+{after_empty - after_app:.0f})"
    )
    print(
        f"  memory after the charts        {after_chart:.0f} MiB (+{after_chart - after_empty:.0f})"
    )
