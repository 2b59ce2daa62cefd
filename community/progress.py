"""Progress and a summary for the long ``flask`` commands (``demo load``, ``ideas recount``,
``forums recount``, ``reputation recount``, ``analytics rebuild``, ``search rebuild``).

The work itself (a recount, a rebuild, the demo loader) takes a :class:`Progress` and says
how much there is to do (``expect``) and how much is done (``advance``, or ``iterate`` over
its items); it knows nothing of terminals. The command runs it inside :func:`running`, which
draws the progress on stderr — redrawn in place on a terminal, one line per tenth done in a
log — and, when the work succeeds, prints one summary line on stdout with the counts the
command gives and the seconds it took. Called from elsewhere (the demo fixtures, tests), the
work reports to :data:`NO_PROGRESS`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TextIO, TypeVar

import click

T = TypeVar("T")


class Progress:
    """How far a long task is; this one tells nobody."""

    def expect(self, steps: int) -> None:
        """There are ``steps`` more steps to do."""

    def advance(self, steps: int = 1) -> None:
        """``steps`` more steps are done."""

    def iterate(self, items: Iterable[T]) -> Iterator[T]:
        """``items``, one step done as each is taken."""
        for item in items:
            yield item
            self.advance()


#: For work called outside a command.
NO_PROGRESS = Progress()


class Report(Progress):
    """Progress drawn on ``stream`` (stderr), and the summary the command sets."""

    def __init__(self, label: str, stream: TextIO) -> None:
        self.total = 0
        self.done = 0
        self.label = label
        self.stream = stream
        self.summary = ""
        self._interactive = stream.isatty()
        self._shown_tenth = 0  # a log gets a line per tenth done, from 10%

    def expect(self, steps: int) -> None:
        self.total += steps

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        self._draw()

    def finish(self, summary: str) -> None:
        """What the command did, for the summary line (counts, in a sentence)."""
        self.summary = summary

    def _draw(self) -> None:
        percent = min(100, 100 * self.done // self.total) if self.total else 100
        line = f"{self.label}: {percent:3d}% ({self.done}/{self.total})"
        if self._interactive:
            self.stream.write(f"\r{line}")
        elif percent // 10 > self._shown_tenth:
            self._shown_tenth = percent // 10
            self.stream.write(f"{line}\n")
        self.stream.flush()

    def close(self) -> None:
        if self._interactive:
            self.stream.write("\n")
            self.stream.flush()


@contextmanager
def running(label: str) -> Iterator[Report]:
    """Run a long command's work: progress on stderr under ``label``, then, if the work did
    not fail, the summary (``report.finish(…)``) and the time it took on stdout."""
    report = Report(label, sys.stderr)
    started = time.monotonic()
    try:
        yield report
    finally:
        report.close()
    seconds = time.monotonic() - started
    click.echo(f"{report.summary or 'Done.'} ({seconds:.1f} s)")
