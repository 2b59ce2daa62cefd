"""The long ``flask`` commands show their progress on stderr and end with one summary line
on stdout: what they did, with counts, and how many seconds it took (``community/progress.py``)."""

from __future__ import annotations

import io
import re

import pytest

from community.progress import Report, running
from tests.fixtures.app import DEMO_OUTPUT

SUMMARY = re.compile(r"^(?P<what>.+) \((?P<seconds>\d+\.\d) s\)$")
PROGRESS = re.compile(r"^(?P<label>[^:]+): +(?P<percent>\d+)% \((?P<done>\d+)/(?P<total>\d+)\)$")


def progress_lines(stderr: str) -> list[re.Match]:
    return [m for line in stderr.splitlines() if (m := PROGRESS.match(line))]


def finished(result, label: str) -> str:
    """The summary of a command that succeeded, after checking its progress reached the end."""
    assert result.exit_code == 0, result.output
    lines = progress_lines(result.stderr)
    assert lines, result.stderr
    assert {m["label"] for m in lines} == {label}
    last = lines[-1]
    assert last["percent"] == "100" and last["done"] == last["total"], result.stderr
    summary = SUMMARY.match(result.stdout.strip().splitlines()[-1])
    assert summary, result.stdout
    assert "%" not in result.stdout  # progress never goes to stdout
    return summary["what"]


@pytest.fixture
def content(app, create_space, create_user, add_member, create_idea, vote_for):
    space, ann, bob = create_space("Imaging"), create_user("ann"), create_user("bob")
    add_member(space, ann)
    add_member(space, bob)
    for _ in range(3):
        vote_for(create_idea(space, ann), bob)
    return space


def test_ideas_recount(app, content):
    result = app.test_cli_runner().invoke(args=["ideas", "recount"])
    what = finished(result, "Recounting ideas")
    assert what == (
        "Fixed 0 vote counts. Counted the trending value of 3 ideas. Fixed 0 idea counts of spaces."
    )
    assert progress_lines(result.stderr)[-1]["total"] == "3"


def test_forums_recount(app, content):
    what = finished(app.test_cli_runner().invoke(args=["forums", "recount"]), "Recounting threads")
    assert what == (
        "Fixed the reply and answer counts of 0 threads. Fixed the thread counts of 0 spaces."
    )


def test_reputation_recount(app, content):
    result = app.test_cli_runner().invoke(args=["reputation", "recount"])
    assert finished(result, "Recounting reputation") == "Fixed 0 reputation entries and totals."


def test_analytics_rebuild(app, content):
    result = app.test_cli_runner().invoke(args=["analytics", "rebuild"])
    what = finished(result, "Counting activity")
    assert re.fullmatch(r"Counted \d+ rows of activity \(person, space, day\)\.", what)


def test_search_rebuild(app, content):
    result = app.test_cli_runner().invoke(args=["search", "rebuild"])
    what = finished(result, "Indexing")
    count = int(re.fullmatch(r"Indexed (\d+) documents\.", what)[1])
    assert count >= 6  # three ideas and their co-design threads, at least
    assert progress_lines(result.stderr)[-1]["total"] == str(count)


def test_demo_load_showed_progress_and_a_summary(demo_snapshot):
    """The load the demo snapshot was made with (its output, stdout and stderr together)."""
    output = (demo_snapshot / DEMO_OUTPUT).read_text()
    lines = [m for line in output.splitlines() if (m := PROGRESS.match(line))]
    assert lines and lines[-1]["label"] == "Loading demo data"
    assert lines[-1]["percent"] == "100" and lines[-1]["done"] == lines[-1]["total"]
    assert re.search(r"^Loaded demo data: \d+ people\. \(\d+\.\d s\)$", output, re.M)


def test_a_log_gets_a_line_per_tenth_and_a_terminal_one_line_redrawn():
    log = io.StringIO()
    report = Report("Work", log)
    report.expect(200)
    for _ in range(200):
        report.advance()
    assert log.getvalue().splitlines() == [
        f"Work: {p:3d}% ({p * 2}/200)" for p in range(10, 101, 10)
    ]

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    report = Report("Work", screen)
    report.expect(2)
    report.advance()
    report.advance()
    report.close()
    assert screen.getvalue() == "\rWork:  50% (1/2)\rWork: 100% (2/2)\n"


def test_a_failed_command_prints_no_summary(capsys):
    with pytest.raises(RuntimeError), running("Work") as report:
        report.finish("Did it.")
        raise RuntimeError("broken")
    assert "Did it." not in capsys.readouterr().out
