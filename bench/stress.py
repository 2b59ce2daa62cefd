"""Repeat the race tests under full-suite conditions and report every run and failure.

Races hide on an idle machine: a vote race seen twice in full-suite runs under load passed
twelve times in a row on its own beside busy loops. So this reproduces what a full run does to
the machine, not only busy CPUs:

* ``suite``: other tests of the suite, run over and over by a pytest of their own with two
  workers: apps made and torn down, SQLite files and search indexes written and deleted,
  PostgreSQL databases created and dropped, Chromium for the browser tests;
* ``writers``: processes that commit small transactions to SQLite files of their own (WAL,
  synchronous=FULL, so every commit is an fsync) and write and delete scratch files;
* ``cpu``: one busy loop per core.

Meanwhile the tests marked ``race`` (writers at once, by processes or threads, on one
database: votes, budgets, merges, rollups, dots, counters) run ``--runs`` times each, on
SQLite and, when ``TEST_POSTGRES_URL`` is set, on PostgreSQL, with two xdist workers as in
``make test``. The report lists each test's runs and failures, with the first lines of every
failure, and exits non-zero if any run failed.

    make stress                         # 20 runs of every race test, all load on
    make stress RUNS=50                 # what the trust issue asks for
    .venv/bin/python bench/stress.py --runs 5 --load cpu   # quick, CPUs only
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
# What the suite load runs: tests that make apps, write databases and indexes, and drive
# Chromium, as a full run does beside the races (the races themselves are left out).
SUITE_PATHS = ["tests/forums", "tests/spaces", "tests/search", "tests/brainstorms", "tests/browser"]


def in_own_group(target, *args) -> None:
    """Run ``target`` in a process group of its own, so stopping the group stops every
    process it started."""
    os.setpgrp()
    target(*args)


def busy_loop() -> None:
    while True:
        pass


def sqlite_writer(folder: str) -> None:
    """Small committed transactions on an SQLite file, fsync'd, and scratch files churned."""
    path = Path(folder)
    connection = sqlite3.connect(path / "writer.db", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, body TEXT)")
    n = 0
    while True:
        n += 1
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "INSERT INTO rows (body) VALUES (?)", [(os.urandom(200).hex(),) for _ in range(20)]
        )
        if n % 50 == 0:
            connection.execute("DELETE FROM rows WHERE id < (SELECT max(id) - 2000 FROM rows)")
        connection.execute("COMMIT")
        scratch = path / f"scratch-{n % 20}.bin"
        with scratch.open("wb") as handle:
            handle.write(os.urandom(256 * 1024))
            handle.flush()
            os.fsync(handle.fileno())
        if n % 3 == 0:
            scratch.unlink(missing_ok=True)


def suite_loop(workdir: str) -> None:
    """The other tests, again and again, with two workers (their results do not matter)."""
    env = {**os.environ, "COCREATE_ENV": "testing", "CI": "false"}
    while True:
        subprocess.run(  # noqa: S603 - fixed arguments
            [*PYTEST, "-q", "-n", "2", "-m", "not race", "--basetemp", workdir, *SUITE_PATHS],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )


@contextlib.contextmanager
def load(kinds: set[str], scratch: Path):
    """Start the chosen loads, and stop them (and everything they started) afterwards."""
    context = multiprocessing.get_context("spawn")
    processes = []
    if "cpu" in kinds:
        processes += [
            context.Process(target=in_own_group, args=(busy_loop,))
            for _ in range(os.cpu_count() or 2)
        ]
    if "writers" in kinds:
        for n in range(2):
            folder = scratch / f"writer-{n}"
            folder.mkdir()
            processes.append(
                context.Process(target=in_own_group, args=(sqlite_writer, str(folder)))
            )
    if "suite" in kinds:
        processes.append(
            context.Process(target=in_own_group, args=(suite_loop, str(scratch / "suite")))
        )
    for process in processes:
        process.start()
    try:
        yield
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.join(timeout=10)


def run_races(runs: int, report: Path, selection: list[str]) -> int:
    """The race tests ``runs`` times each with two workers; pytest's exit code."""
    env = {**os.environ, "COCREATE_ENV": "testing"}
    return subprocess.run(  # noqa: S603 - fixed arguments
        [
            *PYTEST,
            "-q",
            "-n",
            "2",
            "-m",
            "race",
            "--count",
            str(runs),
            "--junitxml",
            str(report),
            *selection,
        ],
        cwd=ROOT,
        env=env,
        check=False,
    ).returncode


def summarise(report: Path) -> tuple[dict[str, list[int]], list[tuple[str, str]]]:
    """Runs and failures per test (repetitions folded together), and each failure's text."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    failures = []
    # The report is the one pytest just wrote, not outside input.
    for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314
        name = f"{case.get('classname')}::{case.get('name')}"
        # pytest-repeat adds "-<n>-<count>" to the last parameter: fold the runs together.
        base, _sep, _rest = name.rpartition("[")
        params = _rest.rstrip("]").rsplit("-", 2)[0] if _rest else ""
        key = f"{base}[{params}]" if base and params and not params.isdigit() else base or name
        if case.find("skipped") is not None:
            continue
        totals[key][0] += 1
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            totals[key][1] += 1
            failures.append((name, (problem.get("message") or "")[:300]))
    return totals, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of each race test")
    parser.add_argument(
        "--load",
        default="suite,writers,cpu",
        help="comma-separated loads: suite, writers, cpu (or none)",
    )
    parser.add_argument("tests", nargs="*", help="test paths (default: the whole suite's)")
    args = parser.parse_args()
    kinds = {k for k in args.load.split(",") if k and k != "none"}
    if not os.environ.get("TEST_POSTGRES_URL"):
        print("TEST_POSTGRES_URL is not set: the PostgreSQL runs are skipped.", file=sys.stderr)
    scratch = Path(tempfile.mkdtemp(prefix="cocreate-stress-"))
    started = time.monotonic()
    try:
        with load(kinds, scratch):
            time.sleep(5 if kinds else 0)  # let the load get going
            load_before = os.getloadavg()[0]
            exit_code = run_races(args.runs, scratch / "races.xml", args.tests)
            load_after = os.getloadavg()[0]
        totals, failures = summarise(scratch / "races.xml")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    minutes = (time.monotonic() - started) / 60
    print(
        f"\nStress: {args.runs} runs per race test, load {sorted(kinds) or 'none'}, "
        f"load average {load_before:.1f} → {load_after:.1f}, {minutes:.1f} min"
    )
    width = max((len(k) for k in totals), default=10)
    print(f"{'test':<{width}}  runs  failed")
    for name in sorted(totals):
        runs, failed = totals[name]
        print(f"{name:<{width}}  {runs:>4}  {failed:>6}")
    all_runs = sum(r for r, _ in totals.values())
    print(f"{'total':<{width}}  {all_runs:>4}  {len(failures):>6}")
    for name, message in failures:
        print(f"\nFAILED {name}\n  {message}")
    return 1 if failures or exit_code not in (0, 5) else 0


if __name__ == "__main__":
    sys.exit(main())
