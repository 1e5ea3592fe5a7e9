"""Chart geometry: the phone's drawing keeps every bar and its value inside its width."""

from __future__ import annotations

from engage.reports import charts


def test_a_phone_s_bars_stand_below_their_labels_and_fit_the_width():
    rows = [("Eingereicht", 12, "12"), ("In Prüfung", 3, "3"), ("Ausgewertet", 0, "0")]
    bars, height = charts.stacked(rows)
    assert height == 3 * (20 + 18 + 12)
    assert [bar.x for bar in bars] == [0, 0, 0]  # the label has the whole line above its bar
    assert all(bar.y >= 20 and bar.y + bar.height <= height for bar in bars)
    longest = max(bars, key=lambda bar: bar.width)
    assert longest.label == "Eingereicht" and longest.width + 56 == charts.NARROW  # room for 12
    assert bars[-1].width == 1  # a zero still shows as a hairline


def test_the_months_on_a_phone_are_rows_named_in_full_for_screen_readers():
    rows = [("Jun 26", 4, "4"), ("Jul 26", 8, "8")]
    bars, height = charts.horizontal(rows, width=charts.NARROW, bar=20, gap=8, label_width=64,
                                     spoken=["Juni 2026", "Juli 2026"])  # fmt: skip
    assert height == 2 * 28 and [bar.spoken for bar in bars] == ["Juni 2026", "Juli 2026"]
    assert max(bar.x + bar.width for bar in bars) <= charts.NARROW - 70
