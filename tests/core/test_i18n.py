"""English and Simplified Chinese: selection, the switcher, and a complete catalogue."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import flask_babel
import pytest
from babel import support
from babel.messages.pofile import read_po

from tests.fixtures.app import page_text

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po"


@pytest.mark.parametrize(
    "header, lang, text",
    [
        ("zh-CN,zh;q=0.9,en;q=0.5", "zh-Hans", "加入"),
        ("zh-Hans", "zh-Hans", "加入"),
        ("zh-TW", "zh-Hans", "加入"),
        ("en-GB,en;q=0.8", "en", "Join"),
        ("fr-FR,de;q=0.5", "en", "Join"),
        ("fr-FR,zh;q=0.3", "zh-Hans", "加入"),
    ],
)
def test_language_follows_accept_language(client, header, lang, text):
    response = client.get("/", headers={"Accept-Language": header})
    assert f'<html lang="{lang}">' in response.get_data(as_text=True)
    assert text in page_text(response)


def test_switcher_sets_language_and_returns_to_the_page(client):
    response = client.submit("/language", {"locale": "zh_Hans", "next": "/login?x=1"})
    assert response.status_code == 302 and response.location == "/login?x=1"
    assert "登录" in page_text(client.get("/login", headers={"Accept-Language": "en"}))


def test_switcher_refuses_unknown_language_and_unsafe_next(client):
    response = client.submit("/language", {"locale": "klingon", "next": "//evil.example"})
    assert response.location == "/"
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    assert client.post("/language", data={"locale": "zh_Hans"}).status_code == 400


def test_signed_in_choice_is_kept_on_the_account(app, create_user, login, reload_user):
    user = create_user()
    first = app.test_client()
    login(first, user)
    first.submit("/language", {"locale": "zh_Hans", "next": "/"})
    assert reload_user(user).locale == "zh_Hans"
    elsewhere = app.test_client()
    login(elsewhere, user)
    assert 'lang="zh-Hans"' in elsewhere.get("/").get_data(as_text=True)


def test_dates_are_formatted_for_the_locale(client, create_user):
    create_user("dated")
    assert "年" in page_text(client.get("/u/dated", headers={"Accept-Language": "zh-CN"}))


def test_catalogues_load_once_per_language_and_process(app, monkeypatch):
    loads = []
    load = support.Translations.load

    def counted(dirname=None, locales=None, domain=None):
        loads.append((str(dirname), str(locales[0]), domain))
        return load(dirname, locales, domain)

    monkeypatch.setattr(support.Translations, "load", counted)
    for _ in range(3):
        for language in ("en", "zh-CN"):
            headers = {"Accept-Language": language}
            for path in ("/", "/spaces", "/login", "/register"):
                assert app.test_client().get(path, headers=headers).status_code == 200
            app.test_client().post("/login", data={}, headers=headers)
    assert sorted(set(loads)) == sorted(loads), "a catalogue was loaded twice"
    assert {(locale, domain) for _, locale, domain in loads} == {
        ("en", "wtforms"),
        ("en", "messages"),
        ("zh_Hans", "wtforms"),
        ("zh_Hans", "messages"),
    }


def test_form_messages_are_in_the_readers_language(client):
    form = {"username": "", "email": "not-an-address", "display_name": "Ann"}
    chinese = page_text(client.submit("/register", form, headers={"Accept-Language": "zh-CN"}))
    assert "该字段是必填字段。" in chinese and "无效的 Email 地址。" in chinese
    english = page_text(client.submit("/register", form, headers={"Accept-Language": "en"}))
    assert "This field is required." in english and "Invalid email address." in english


def test_forced_language_reaches_the_catalogue_and_comes_back(app):
    from flask_babel import force_locale, gettext

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert gettext("Join") == "Join"
        with force_locale("zh_Hans"):
            assert gettext("Join") == "加入"
        assert gettext("Join") == "Join"


def test_row_labels_are_translated_once_per_page(
    app, create_space, create_thread, space_owner, translation_lookups
):
    space = create_space()
    for _ in range(3):
        create_thread(space, space_owner, kind="discussion")
        create_thread(space, space_owner, kind="question")
    looked_up = translation_lookups
    looked_up.clear()  # the page's lookups only
    page = app.test_client().get(f"/s/{space.slug}", headers={"Accept-Language": "zh-CN"})
    assert page_text(page).count("讨论") >= 3 and page_text(page).count("问题") >= 3
    assert looked_up.count("Discussion") == 1 and looked_up.count("Question") == 1


def test_every_message_in_the_code_is_translated(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(  # noqa: S603 (fixed arguments)
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "--ignore-dirs=.*",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "lazy_ngettext:1,2",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as extracted, CATALOG.open("rb") as translated:
        wanted = {m.id for m in read_po(extracted) if m.id}
        catalog = {m.id: m for m in read_po(translated) if m.id}
    assert not wanted - set(catalog), "run `make extract-messages` and translate"
    for msgid in wanted:
        message = catalog[msgid]
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, f"untranslated: {msgid!r}"
        placeholders = sorted(set(re.findall(r"%\(\w+\)[sd]", ids[-1])))
        for string in strings:
            assert sorted(set(re.findall(r"%\(\w+\)[sd]", string))) == placeholders, msgid


def test_templates_find_the_catalogue_without_asking_flask_babel_each_time(
    app, create_space, create_thread, space_owner, monkeypatch
):
    """A page's hundreds of lookups read the catalogue kept for the request; Flask-Babel's own
    path (its context found twice a lookup) runs for the locale and dates, not per lookup.
    The page is still in the reader's language."""
    space = create_space()
    for _ in range(3):
        create_thread(space, space_owner, kind="question")
    looked_up, contexts = [], []
    ugettext, find_context = support.Translations.ugettext, flask_babel._get_current_context

    def counted(self, message):
        looked_up.append(message)
        return ugettext(self, message)

    def counted_context():
        contexts.append(1)
        return find_context()

    monkeypatch.setattr(support.Translations, "ugettext", counted)
    monkeypatch.setattr(flask_babel, "_get_current_context", counted_context)
    page = app.test_client().get(f"/s/{space.slug}", headers={"Accept-Language": "zh-CN"})
    assert "问题" in page_text(page)
    assert len(looked_up) > 40
    assert len(contexts) < len(looked_up) / 2, (len(contexts), len(looked_up))
