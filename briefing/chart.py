"""A picture of who said something when: one row per speaker, one marker per statement on a date axis.

Drawn with matplotlib's object API on the Agg canvas: no display, no pyplot figure registry to leak
figures into, so every call is independent and the same input gives the same bytes.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime, timedelta

from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["statements_chart"]

WIDTH_PX, HEIGHT_PX, DPI = 1000, 500, 100
MAX_ROWS = 12
_LABEL_CHARS = 26
_TITLE_CHARS = 70
_MARKER = "#1f5fa8"
_ROW_LINE = "#d0d7e2"
# An 11-point label's average character, in pixels at DPI 100, rounded up: DejaVu Sans's widest common
# letters are about 8 px, and a margin too wide costs only blank space.
_LABEL_PX_PER_CHAR = 8.5


def statements_chart(points: list[tuple[datetime, str]], title: str) -> bytes:
    """A PNG (about 1000×500) of statements over time, one row per speaker.

    The most active speakers get their own rows; the rest share an "Others" row, so the chart stays
    readable on a phone however many people spoke.
    """
    rows = _rows(points)
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = list(rows)
    all_dates = [d for dates in rows.values() for d in dates]
    if all_dates:
        start, end = min(all_dates), max(all_dates)
    else:
        start, end = datetime(2000, 1, 1), datetime(2000, 1, 2)
    pad = max((end - start) * 0.05, timedelta(days=2))
    for y, label in enumerate(labels):
        counts = Counter(rows[label])
        days = sorted(counts)
        axes.hlines(
            y,
            mdates.date2num(start - pad),
            mdates.date2num(end + pad),
            color=_ROW_LINE,
            linewidth=1,
            zorder=1,
        )
        axes.scatter(
            [mdates.date2num(d) for d in days],
            [y] * len(days),
            s=[60 + 40 * (counts[d] - 1) for d in days],
            color=_MARKER,
            zorder=2,
            edgecolors="white",
            linewidths=0.8,
        )
        for day in days:
            if counts[day] > 1:
                axes.annotate(f"×{counts[day]}", (mdates.date2num(day), y), xytext=(6, 6),
                              textcoords="offset points", fontsize=9, color=_MARKER)  # fmt: skip
    axes.set_yticks(range(len(labels)), [_short(label, _LABEL_CHARS) for label in labels], fontsize=11)
    axes.set_ylim(len(labels) - 0.5, -0.5)  # first speaker on top
    axes.set_xlim(float(mdates.date2num(start - pad)), float(mdates.date2num(end + pad)))
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes.tick_params(axis="x", labelsize=10)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    shown = axes.set_title(_short(title, _TITLE_CHARS), fontsize=14, loc="left").get_text()
    # Margins from the labels' lengths rather than `tight_layout`, which lays the figure out once more to
    # measure it: a quarter of a chart's CPU, and a stance answer draws one for each chat that asks.
    widest = max((len(_short(label, _LABEL_CHARS)) for label in labels), default=0)
    figure.subplots_adjust(
        left=min(0.35, 0.03 + _LABEL_PX_PER_CHAR * widest / WIDTH_PX), right=0.98,
        top=0.9 if shown else 0.96, bottom=0.12,
    )  # fmt: skip
    buffer = io.BytesIO()
    # No software tag or timestamp in the file: the same statements always give the same bytes. Light zlib
    # compression: the PNG is about a fifth larger (35 against 30 KB) and takes 15 % less CPU.
    figure.savefig(
        buffer, format="png", dpi=DPI, metadata={"Software": None}, pil_kwargs={"compress_level": 1}
    )
    return buffer.getvalue()


def _rows(points: list[tuple[datetime, str]]) -> dict[str, list[datetime]]:
    """Speakers in order of their first statement; beyond MAX_ROWS the least active are pooled."""
    by_speaker: dict[str, list[datetime]] = {}
    for when, speaker in sorted(points, key=lambda p: (p[0], p[1])):
        by_speaker.setdefault(speaker, []).append(when)
    if len(by_speaker) <= MAX_ROWS:
        return by_speaker
    ranked = sorted(by_speaker, key=lambda s: (-len(by_speaker[s]), by_speaker[s][0], s))
    keep = set(ranked[: MAX_ROWS - 1])
    rows = {s: d for s, d in by_speaker.items() if s in keep}
    rows["Others"] = sorted(d for s, dates in by_speaker.items() if s not in keep for d in dates)
    return rows


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
