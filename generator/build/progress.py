"""Progress of long builds: a rich progress bar on a terminal, plain lines in CI or a pipe, nothing with --quiet.
The bar is coloured as common/terminal.py decides (NO_COLOR, FORCE_COLOR)."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Callable, Iterator

import click

from ..common.terminal import colour_enabled

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
            console=progress_console(),
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


def progress_console():
    """The bar's console on stderr: a terminal (the bar is drawn only there), coloured or not by our one rule
    rather than by rich's own reading of the environment."""
    from rich.console import Console

    return Console(stderr=True, force_terminal=True, color_system="auto" if colour_enabled(sys.stderr) else None)
