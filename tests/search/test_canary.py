"""A word planted in a private space is found by its members and by nobody else — through the
page, the JSON endpoint, snippets, facet counts and "did you mean"."""

from __future__ import annotations

import pytest

from community.spaces.models import MembershipState
from tests.fixtures.app import page_text
from tests.search.conftest import BOTH_BACKENDS

pytestmark = BOTH_BACKENDS

CANARY = "Zebrafinch"


@pytest.fixture
def planted(
    create_space, create_user, add_member, create_thread, create_reply, space_owner, login, app
):
    secret = create_space("Vault of Secrets", visibility="private")
    public = create_space("Town Square")
    people = {
        name: create_user(name) for name in ("outsider", "member", "banned", "pending", "leaver")
    }
    add_member(secret, people["member"])
    add_member(secret, people["banned"], state=MembershipState.BANNED)
    add_member(secret, people["pending"], state=MembershipState.PENDING)
    add_member(secret, people["leaver"])
    thread = create_thread(
        secret,
        space_owner,
        title=f"{CANARY} launch plan",
        body=f"The {CANARY} ships in May",
        tags="zebrafinch",
    )
    create_reply(thread, space_owner, f"{CANARY} pricing is confidential")
    create_thread(public, space_owner, title="Public roadmap", body="Nothing secret here")
    # The leaver was a member and left: their access ends with it.
    c = app.test_client()
    login(c, people["leaver"])
    assert c.submit(f"/s/{secret.slug}/leave").status_code == 302
    return people, secret


SECRETS = ("Vault of Secrets", "launch plan", "Zebrafinch ships", "pricing is confidential")
QUERIES = (
    CANARY,
    CANARY.lower(),
    "zebrafinc",
    "Zebrafinsh",
    "launch plan",
    "confidential",
    "ships",
)


def what_is_shown(client, q: str) -> tuple[str, list]:
    """The visible text of the search page, and the suggestion results, for ``q``."""
    text = page_text(client.get("/search", query_string={"q": q}))
    suggestions = client.get("/search/suggest", query_string={"q": q}).json["results"]
    return text, suggestions


def leaks(client, secret) -> list[str]:
    problems = []
    for q in QUERIES:
        text, suggestions = what_is_shown(client, q)
        if "0 results" not in text:
            problems.append(f"results for {q!r}")
        if "Did you mean" in text:
            problems.append(f"did you mean for {q!r}")
        problems += [
            f"{s!r} for {q!r}" for s in SECRETS if s.lower() not in q.lower() and s in text
        ]
        if suggestions:
            problems.append(f"suggestions for {q!r}")
    everything = client.get("/search", query_string={"q": "plan OR pricing OR roadmap"})
    if f"space={secret.id}" in everything.get_data(as_text=True):
        problems.append("space facet")
    return problems


@pytest.mark.parametrize("visitor", ["anonymous", "outsider", "banned", "pending", "leaver"])
def test_nobody_outside_finds_the_canary(app, client, login, planted, visitor):
    people, secret = planted
    if visitor != "anonymous":
        login(client, people[visitor])
    assert leaks(client, secret) == []


def test_members_find_the_canary(client, login, planted, found):
    people, secret = planted
    login(client, people["member"])
    assert found(CANARY) == [f"{CANARY} launch plan", f"Re: {CANARY} launch plan"]
    text, suggestions = what_is_shown(client, "ships")
    assert "1 result" in text and "Zebrafinch ships" in text and "Vault of Secrets" in text
    assert [r["title"] for r in what_is_shown(client, CANARY[:5])[1]] == [f"{CANARY} launch plan"]
    assert "Did you mean: zebrafinch" in what_is_shown(client, "Zebrafinsh")[0]
    assert leaks(client, secret) != []  # the detector does see what members may see


def test_query_syntax_cannot_widen_access(client, login, planted):
    people, secret = planted
    login(client, people["outsider"])
    for q in (
        "space_id:*",
        f"space_id:{secret.id}",
        "visibility:private",
        f"visibility:private {CANARY}",
        f"kind:thread OR {CANARY}",
        f"{CANARY}*",
        f"*:* {CANARY}",
    ):
        text = what_is_shown(client, q)[0]
        assert "0 results" in text and not any(word in text for word in SECRETS[1:]), q
    crafted = client.get("/search", query_string={"q": CANARY, "space": str(secret.id)}).get_data(
        as_text=True
    )
    assert "launch plan" not in crafted
