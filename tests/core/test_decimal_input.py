"""Amounts and hours are read as people write them, thousands separators included."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engage.core.forms import parse_local_decimal


@pytest.mark.parametrize(
    ("typed", "language", "meant"),
    [
        ("2.500", "de", "2500"),  # a German thousands point (was read as 2,50)
        ("2.500", "en", "2.5"),
        ("2,500", "de", "2.5"),
        ("2,500", "en", "2500"),
        ("15,50", "de", "15.50"),
        ("15.50", "de", "15.50"),  # a point with two decimals is a decimal point anywhere
        ("15,50", "en", "15.50"),
        ("2.500,50", "de", "2500.50"),
        ("2,500.50", "de", "2500.50"),
        ("1.000.000", "de", "1000000"),
        ("1,000,000", "en", "1000000"),
        ("1 000", "de", "1000"),
        ("0.250", "de", "0.25"),  # (no thousands start with 0)
        ("1234.567", "de", "1234.567"),
        ("-3", "de", "-3"),
        (",5", "de", "0.5"),
        ("15,", "de", "15"),
    ],
)
def test_a_written_number_means_what_its_writer_meant(typed, language, meant):
    assert parse_local_decimal(typed, language) == Decimal(meant)


@pytest.mark.parametrize(
    "typed",
    [
        "abc",
        "1e3",
        "NaN",
        "Infinity",
        "12.34.56",
        "1,2,3",
        ".",
        "-",
        "2.500.5",
        "1..2",
        "2,500,5",
        "1.2,3.4",
        "١٢",
    ],  # fmt: skip
)
def test_anything_else_is_refused_not_guessed(typed):
    with pytest.raises(ValueError):
        parse_local_decimal(typed, "de")


def test_an_empty_field_is_no_number():
    assert parse_local_decimal("  ", "de") is None
