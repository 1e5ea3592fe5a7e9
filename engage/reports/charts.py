"""Bar geometry for the dashboard's SVG charts (drawn by templates/reports/charts.html)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as shown (may be "<5")
    x: float
    y: float
    width: float
    height: float
    spoken: str = ""  # the label in full, for the chart's description (if the label is short)


def _number(value) -> float:
    return float(value) if isinstance(value, int | float | Decimal) else 0.0


# Phones: a chart is drawn this many units wide, about as many pixels as a phone gives it, so
# that its 14-unit labels read at 12 px or more (templates/reports/charts.html picks the
# drawing by the room the chart has; the 640-unit drawing needs 600 px for 12 px labels).
NARROW = 320


def horizontal(rows: list[tuple[str, object, str]], width: int = 640, bar: int = 28,
               label_width: int = 230, spoken: list[str] | None = None,
               gap: int = 10) -> tuple[list[Bar], int]:  # fmt: skip
    """One bar per row (label, value, shown text); returns the bars and the chart height."""
    top = max((_number(v) for _l, v, _t in rows), default=0) or 1
    room = width - label_width - 70
    bars = [
        Bar(
            label,
            text,
            label_width,
            i * (bar + gap),
            max(room * _number(value) / top, 1),
            bar,
            spoken[i] if spoken else "",
        )  # fmt: skip
        for i, (label, value, text) in enumerate(rows)
    ]
    return bars, len(rows) * (bar + gap)


def stacked(rows: list[tuple[str, object, str]], width: int = NARROW, bar: int = 18,
            label: int = 20, gap: int = 12) -> tuple[list[Bar], int]:  # fmt: skip
    """For phones: each row's label on a line of its own above its bar, the bars as long as
    the width allows; returns the bars and the chart height."""
    top = max((_number(v) for _l, v, _t in rows), default=0) or 1
    room, step = width - 56, label + bar + gap
    bars = [
        Bar(name, text, 0, i * step + label, max(room * _number(value) / top, 1), bar)
        for i, (name, value, text) in enumerate(rows)
    ]
    return bars, len(rows) * step


def vertical(rows: list[tuple[str, object, str]], width: int = 640,
             height: int = 220, spoken: list[str] | None = None) -> list[Bar]:  # fmt: skip
    """One column per row (label, value, text), scaled to the tallest; labels below
    (spoken: the labels in full, for the description)."""
    top = max((_number(v) for _l, v, _t in rows), default=0) or 1
    slot = width / max(len(rows), 1)
    return [
        Bar(
            label,
            text,
            i * slot + slot * 0.15,
            height - height * _number(value) / top,
            slot * 0.7,
            height * _number(value) / top,
            spoken[i] if spoken else "",
        )
        for i, (label, value, text) in enumerate(rows)
    ]
