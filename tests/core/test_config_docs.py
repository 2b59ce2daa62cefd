"""docs/configuration.md shows exactly the settings community/envvars.py declares, with their
defaults; the README links the documents it sends readers to; and every setting the docs name
can be set from the environment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from community.config import PROJECT_ROOT, Config
from community.envvars import SECTIONS, SETTINGS, settings_markdown, shown_default

CONFIGURATION = PROJECT_ROOT / "docs" / "configuration.md"
ROW = re.compile(r"^\| `([^`]+)` \| (.*?) \| (.*) \|$")


def documented_rows(path: Path = CONFIGURATION) -> dict[str, tuple[str, str]]:
    """Each table row of ``path`` as variable -> (default, meaning)."""
    rows: dict[str, tuple[str, str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := ROW.match(line):
            name, default, meaning = match.groups()
            assert name not in rows, f"{name} has two rows in {path.name}"
            rows[name] = (default, meaning)
    return rows


def test_every_setting_has_a_row():
    missing = sorted(set(SETTINGS) - set(documented_rows()))
    assert not missing, f"settings missing from docs/configuration.md: {missing}"


def test_every_row_names_a_setting():
    unknown = sorted(set(documented_rows()) - set(SETTINGS))
    assert not unknown, f"docs/configuration.md rows naming no setting: {unknown}"


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_the_default_shown_is_the_default(name):
    shown, _meaning = documented_rows().get(name, (None, None))
    assert shown == shown_default(SETTINGS[name], Config), f"{name}: fix its default in the docs"


def test_the_tables_are_the_declaration():
    text = CONFIGURATION.read_text(encoding="utf-8")
    assert settings_markdown(SECTIONS, Config) in text, (
        "docs/configuration.md differs from community/envvars.py's SECTIONS; its tables "
        "should read:\n\n" + settings_markdown(SECTIONS, Config)
    )


def test_a_changed_default_shows_in_the_table(monkeypatch):
    """The defaults shown come from the Config class, not from a copy of them."""
    monkeypatch.setattr(Config, "FLAG_HIDE_THRESHOLD", 7)
    assert "| `FLAG_HIDE_THRESHOLD` | `7` |" in settings_markdown(SECTIONS, Config)
    assert settings_markdown(SECTIONS, Config) not in CONFIGURATION.read_text(encoding="utf-8")


def test_every_setting_has_a_default_in_config():
    for setting in SETTINGS.values():
        assert setting.early or hasattr(Config, setting.config_key), setting.name


@pytest.mark.parametrize(
    "document", ["README.md", "docs/features.md", "docs/deploy.md", "docs/architecture.md"]
)
def test_settings_named_in_the_docs_can_be_set(document):
    """A Config key the docs name in backticks is a setting an operator can change."""
    text = (PROJECT_ROOT / document).read_text(encoding="utf-8")
    keys = {setting.config_key for setting in SETTINGS.values()}
    named = {word for word in re.findall(r"`([A-Z][A-Z0-9_]+)`", text) if hasattr(Config, word)}
    assert named <= keys | set(SETTINGS), f"{document} names {sorted(named - keys)}"


def test_the_readme_links_the_docs():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\((docs/[^)]+)\)", readme):
        assert (PROJECT_ROOT / target).is_file(), target
    for document in ("features", "configuration", "deploy", "architecture"):
        assert f"(docs/{document}.md)" in readme, document
