"""Promoting results to ideas (who, when, once, credits) and exporting them as Markdown and
CSV (content, anonymity, formula injection)."""

from __future__ import annotations

import csv
import io

import pytest

from community.accounts.models import User
from community.brainstorms import dots, notes, presence, promotion
from community.brainstorms.models import BrainstormSession, Cluster, Note, Phase
from community.errors import OperationError
from community.extensions import db
from community.ideas.models import Idea
from tests.fixtures.app import page_text


@pytest.fixture
def finished(app, cast, create_brainstorm, to_phase):
    """A session in the results phase: a cluster of two notes by the member and the asker
    (three dots), a lone note by the member (one dot), and one starting like a formula."""

    def finish(**settings):
        session_id = create_brainstorm(cast.space, cast.expert, **settings)
        to_phase(session_id, Phase.IDEATE)
        with app.test_request_context():
            session = db.session.get(BrainstormSession, session_id)
            member = db.session.get(User, cast.member.id)
            asker = db.session.get(User, cast.asker.id)
            a = notes.add_note(session, author=member, text="Import in one click")
            b = notes.add_note(session, author=asker, text="A guided tour")
            c = notes.add_note(session, author=member, text='=HYPERLINK("x")')
            db.session.commit()
            ids = {"a": a.id, "b": b.id, "c": c.id}
        to_phase(session_id, Phase.GROUP)
        with app.test_request_context():
            session = db.session.get(BrainstormSession, session_id)
            expert = db.session.get(User, cast.expert.id)
            cluster = notes.create_cluster(session, by=expert, name="Faster setup")
            for key in ("a", "b"):
                notes.move_note(db.session.get(Note, ids[key]), by=expert, cluster=cluster)
            db.session.commit()
            ids["cluster"] = cluster.id
        to_phase(session_id, Phase.VOTE)
        with app.test_request_context():
            session = db.session.get(BrainstormSession, session_id)
            cluster = db.session.get(Cluster, ids["cluster"])
            for voter in (cast.member, cast.asker, cast.expert):
                presence.take_part(session, db.session.get(User, voter.id))
            for voter in (cast.member, cast.asker, cast.expert):
                dots.add_dot(session, by=db.session.get(User, voter.id), cluster=cluster)
            dots.add_dot(
                session,
                by=db.session.get(User, cast.member.id),
                note=db.session.get(Note, ids["c"]),
            )
            db.session.commit()
        to_phase(session_id, Phase.RESULTS)
        return session_id, ids

    return finish


def _scalar(client, query):
    with client.application.app_context():
        return db.session.scalar(query)


def _promote(client, session_id, item, title="Faster setup", body="- Import\n- Tour", **kwargs):
    data = {"title": title, "body": body, "tags": ""}
    return client.submit(f"/sessions/{session_id}/promote?{item}", data, **kwargs)


def test_facilitator_promotes_a_cluster_with_credits(client, cast, login, finished):
    session_id, ids = finished()
    login(client, cast.expert)
    form = client.get(f"/sessions/{session_id}/promote?cluster={ids['cluster']}")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert 'value="Faster setup"' in html and "- Import in one click" in html
    response = _promote(client, session_id, f"cluster={ids['cluster']}")
    assert response.status_code == 302
    with client.application.app_context():
        idea = db.session.scalar(
            db.select(Idea).where(Idea.brainstorm_cluster_id == ids["cluster"])
        )
        assert idea.brainstorm_session_id == session_id and idea.author_id == cast.expert.id
    assert response.headers["Location"].endswith(f"/ideas/{idea.id}")
    text = page_text(client.get(f"/ideas/{idea.id}"))
    assert "From brainstorming session How could onboarding be faster?" in text
    assert "Contributors: Greta , Casey" in text
    board = page_text(client.get(f"/sessions/{session_id}"))
    assert "Download the results" in board
    # The live board draws results from the socket state; its results carry the idea.
    with client.application.test_request_context():
        from community.brainstorms import queries

        session = db.session.get(BrainstormSession, session_id)
        top = queries.ranked_results(session)[0]
    assert top["kind"] == "cluster" and top["idea"] == idea.id


def test_promoting_twice_is_refused(client, cast, login, finished):
    session_id, ids = finished()
    login(client, cast.expert)
    assert _promote(client, session_id, f"note={ids['c']}", title="Formula").status_code == 302
    first = _scalar(client, db.select(Idea.id).where(Idea.brainstorm_note_id == ids["c"]))
    # The form is not offered again: it leads to the idea, saying so.
    for again in (
        client.get(f"/sessions/{session_id}/promote?note={ids['c']}", follow_redirects=True),
        _promote(client, session_id, f"note={ids['c']}", title="Formula", follow_redirects=True),
    ):
        assert again.request.path == f"/ideas/{first}"
        assert f"This was already promoted to idea #{first}." in page_text(again)
    # The operation refuses too (two facilitator tabs submitting at once).
    with client.application.test_request_context(), pytest.raises(OperationError) as refused:
        promotion.promote_to_idea(
            db.session.get(BrainstormSession, session_id),
            by=db.session.get(User, cast.expert.id),
            title="Formula",
            body="Again",
            note=db.session.get(Note, ids["c"]),
        )
    assert refused.value.message == f"This was already promoted to idea #{first}."
    assert _scalar(client, db.select(db.func.count(Idea.id))) == 1


def test_moderators_promote_members_may_not(app, client, cast, login, finished):
    session_id, ids = finished()
    login(client, cast.member)
    assert client.get(f"/sessions/{session_id}/promote?note={ids['a']}").status_code == 403
    with client.application.test_request_context(), pytest.raises(OperationError):
        promotion.promote_to_idea(
            db.session.get(BrainstormSession, session_id),
            by=db.session.get(User, cast.member.id),
            title="Import",
            body="Mine",
            note=db.session.get(Note, ids["a"]),
        )
    owner = app.test_client()
    login(owner, cast.owner)  # the space's owner moderates it
    assert _promote(owner, session_id, f"note={ids['a']}", title="Import").status_code == 302


def test_promoting_before_the_results_is_refused(client, cast, login, create_brainstorm, to_phase):
    session_id = create_brainstorm(cast.space, cast.expert)
    to_phase(session_id, Phase.IDEATE)
    with client.application.test_request_context():
        session = db.session.get(BrainstormSession, session_id)
        note = notes.add_note(session, author=db.session.get(User, cast.member.id), text="X")
        db.session.commit()
        note_id = note.id
    login(client, cast.expert)
    response = _promote(client, session_id, f"note={note_id}", title="X")
    assert response.status_code == 200
    assert "once the results are in" in page_text(response)
    assert _scalar(client, db.select(db.func.count(Idea.id))) == 0


def test_outsiders_get_404_on_a_private_space(
    client, create_space, create_user, add_member, login, create_brainstorm, space_owner
):
    space = create_space("Board", visibility="private")
    session_id = create_brainstorm(space, space_owner)
    login(client, create_user())
    assert client.get(f"/sessions/{session_id}/promote?note=1").status_code == 404
    assert client.get(f"/sessions/{session_id}/results.csv").status_code == 404
    assert client.get(f"/sessions/{session_id}/results.md").status_code == 404


def test_an_anonymous_session_credits_nobody(client, cast, login, finished):
    session_id, ids = finished(anonymous=True)
    login(client, cast.expert)
    response = _promote(client, session_id, f"cluster={ids['cluster']}")
    idea_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "From brainstorming session" in idea_page
    assert "Contributors" not in idea_page
    assert "Greta" not in idea_page and "Casey" not in idea_page


def test_results_export_as_markdown_and_csv(client, cast, login, finished):
    session_id, ids = finished()
    login(client, cast.asker)  # participants download too
    md = client.get(f"/sessions/{session_id}/results.md")
    assert md.status_code == 200 and "attachment" in md.headers["Content-Disposition"]
    text = md.get_data(as_text=True)
    assert text.startswith("# How could onboarding be faster?")
    assert "1. **Faster setup** (Cluster, 3 dots) — Greta, Casey" in text
    assert "   - Import in one click" in text
    body = client.get(f"/sessions/{session_id}/results.csv").text
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["Rank", "Kind", "Text", "Cluster", "Dots", "Idea", "Authors"]
    assert rows[1] == ["1", "Cluster", "Faster setup", "", "3", "", "Greta; Casey"]
    # The cluster's notes follow it, unranked: their dots are the cluster's score.
    assert ["", "Note", "Import in one click", "Faster setup", "", "", ""] in rows
    assert all(r[0] for r in rows[1:] if r[3] == "")
    formula = next(r for r in rows if "HYPERLINK" in r[2])
    assert formula[2] == '\'=HYPERLINK("x")' and formula[4] == "1"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_anonymous_exports_name_nobody(client, cast, login, finished):
    session_id, _ = finished(anonymous=True)
    login(client, cast.expert)
    md = client.get(f"/sessions/{session_id}/results.md").get_data(as_text=True)
    csv_text = client.get(f"/sessions/{session_id}/results.csv").get_data(as_text=True)
    for body in (md, csv_text):
        assert "Greta" not in body and "Casey" not in body and "Erik" not in body
    assert "Authors" not in csv_text.splitlines()[0]


def test_exports_wait_for_the_results_and_need_membership(
    app, client, cast, login, create_brainstorm, finished
):
    session_id, _ = finished()
    login(client, cast.outsider)  # may read the public space, did not take part
    assert client.get(f"/sessions/{session_id}/results.csv").status_code == 403
    assert "Download the results" not in page_text(client.get(f"/sessions/{session_id}"))
    early = create_brainstorm(cast.space, cast.expert)
    member = app.test_client()
    login(member, cast.member)
    assert member.get(f"/sessions/{early}/results.md").status_code == 404


def test_the_promote_form_keeps_a_draft_until_the_idea_is_posted(client, cast, login, finished):
    session_id, ids = finished()
    login(client, cast.expert)
    key = f"u{cast.expert.id}:promote:note:{ids['c']}"
    form = client.get(f"/sessions/{session_id}/promote?note={ids['c']}").get_data(as_text=True)
    assert f'data-draft="{key}"' in form
    failed = _promote(client, session_id, f"note={ids['c']}", title="")
    assert failed.status_code == 200 and "data-drafts-forget" not in failed.get_data(as_text=True)
    posted = _promote(client, session_id, f"note={ids['c']}", title="Formula")
    landing = client.get(posted.headers["Location"]).get_data(as_text=True)
    assert f'data-drafts-forget="{key}"' in landing
