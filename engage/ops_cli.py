"""Operations commands: the benchmark city and the consistency check."""

from __future__ import annotations

import sys
import time

import click

from engage.extensions import db


@click.command("seed-bench")
@click.option("--scale", default=1.0, show_default=True,
              help="Multiply every size (0.01 builds a small city for tests).")  # fmt: skip
def seed_bench_command(scale: float) -> None:
    """Fill an empty database with the benchmark city (100,000 users, 1,000,000 supports …)."""
    from engage.benchdata import Sizes, seed

    started = time.perf_counter()
    sizes = Sizes().scaled(scale) if scale != 1.0 else Sizes()
    try:
        seed(sizes, progress=lambda line: click.echo(f"  {line}"))
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Benchmark city built in {time.perf_counter() - started:.0f} s.")


@click.command("check-consistency")
def check_consistency_command() -> None:
    """Compare counters kept on rows with the real counts; exit 1 on any drift."""
    from engage.consistency import drift

    lines = drift()
    for line in lines:
        click.echo(line)
    if lines:
        click.echo(f"{len(lines)} counter(s) drifted.", err=True)
        sys.exit(1)
    click.echo("All counters match their rows.")
