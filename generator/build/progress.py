"""Progress of long builds: a rich progress bar on a terminal, plain lines in CI or a pipe, nothing with --quiet."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Callable, Iterator

import click

PLAIN_STEPS = 10  # plain output: a line at every tenth of the work
PLAIN_FROM = 100  # filings; a smaller build ends before progress lines would help


@contextmanager
def progress_reporter(quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    if quiet:
        yield None
        return
    interactive = sys.stderr.isatty() and os.environ.get("CI", "").lower() not in ("1", "true", "yes")
    if interactive:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(
            TextColumn("生成申报表"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True,
        ) as bar:
            task = bar.add_task("build", total=None)

            def update(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            yield update
        return
    shown = set()

    def plain(done: int, total: int) -> None:
        step = done * PLAIN_STEPS // total
        if total >= PLAIN_FROM and step and step not in shown:
            shown.add(step)
            click.echo(f"生成申报表：{done}/{total}", err=True)

    yield plain
