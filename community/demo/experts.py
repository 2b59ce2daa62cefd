"""Demo expertise: people declare what they know, admins and space moderators verify it,
Rendering Partners becomes an expert community, and questions asked with "Ask an expert" are
routed: one claimed, answered and accepted, one still waiting. Made through the ordinary
operations."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from community.accounts.models import User
from community.experts import operations as experts
from community.experts import routing
from community.experts.models import Expertise, QuestionRouting, RoutedQuestion
from community.extensions import db
from community.forums import operations as forums
from community.forums.models import Post, Thread
from community.spaces import operations as spaces
from community.spaces.models import Space

#: username → the tags they declare.
DECLARED = {
    "expert": "calibration, dicom, pacs",
    "sato": "integrations, api, automation",
    "wangfang": "家居设计, 定制家具",
    "greta": "flat-pack, assembly",
    "lumen": "rendering, gpu",
    "liwei": "课堂技术, accessibility",
    "moderator": "community-management",
    "customer": "radiology",
}

#: (username, tag, verified by, in space or None for site-wide). Tags left out stay declared.
VERIFIED = [
    ("expert", "calibration", "admin", None),
    ("expert", "dicom", "admin", None),
    ("sato", "integrations", "moderator", "imaging-workflows"),
    ("sato", "api", "moderator", "classroom"),
    ("wangfang", "家居设计", "moderator", "home-cocreation"),
    ("greta", "flat-pack", "moderator", "home-cocreation"),
    ("lumen", "rendering", "admin", "rendering-partners"),
    ("liwei", "课堂技术", "moderator", "classroom"),
    ("moderator", "community-management", "admin", None),
]

EXPERT_COMMUNITIES = ["rendering-partners"]


def load_demo_expertise(people: dict[str, User]) -> None:
    """Declare and verify the demo's expertise; caller commits."""
    for username, tags in DECLARED.items():
        experts.set_expertise(people[username], tags, by=people[username])
    for username, tag, verifier, slug in VERIFIED:
        expertise = db.session.scalar(
            select(Expertise).where(Expertise.user_id == people[username].id, Expertise.tag == tag)
        )
        experts.verify_expertise(expertise, by=people[verifier], space=_space(slug))
    for slug in EXPERT_COMMUNITIES:
        space = _space(slug)
        spaces.update_space(
            space,
            name=space.name,
            description=space.description,
            visibility=space.visibility,
            tags=space.tag_names,
            slug=space.slug,
            by=people["admin"],
            expert_community=True,
        )


def _space(slug: str | None) -> Space | None:
    if slug is None:
        return None
    return db.session.scalar(select(Space).where(Space.slug == slug))


def load_demo_routing(people: dict[str, User], now: datetime) -> None:
    """Two questions asked with "Ask an expert" in Imaging Workflows: Erik claimed, answered
    and got accepted the first; the second waits for an expert. Caller commits."""
    space = _space("imaging-workflows")
    solved = forums.start_thread(
        space,
        author=people["customer"],
        kind="question",
        title="Which phantom should we use for the monthly CT calibration check?",
        body=(
            "We have the vendor's water phantom and an older multi-section one. The QA "
            "checklist just says 'phantom'. Which one gives comparable numbers month to month?"
        ),
        tags="calibration, ct",
        ask_expert=True,
    )
    # A request routes an asked question as it commits; the demo loads in one transaction,
    # so it routes at once (the routing at the commit then finds it done).
    routing.route_question(solved, routing.RoutingReason.ASKED)
    routing.claim_question(solved, by=people["expert"])
    answer = forums.reply_to_thread(
        solved,
        author=people["expert"],
        body=(
            "Use the water phantom for the monthly check: its numbers are what the service "
            "limits are written against. Keep the multi-section phantom for the yearly "
            "constancy test, and always scan it at the same table height."
        ),
    )
    forums.accept_answer(answer, by=people["customer"])
    _backdate_routing(solved, asked=now - timedelta(days=3), claimed=40, answered=95)

    waiting = forums.start_thread(
        space,
        author=people["jamal"],
        kind="question",
        title="Can the PACS export anonymised DICOM studies for a research project?",
        body=(
            "A university partner wants a few hundred chest CT studies. Can the export strip "
            "patient names and dates, or do we need a separate anonymisation tool?"
        ),
        tags="dicom, pacs",
        ask_expert=True,
    )
    routing.route_question(waiting, routing.RoutingReason.ASKED)
    _backdate_routing(waiting, asked=now - timedelta(hours=3))


def _backdate_routing(
    thread: Thread, *, asked: datetime, claimed: int | None = None, answered: int | None = None
) -> None:
    """Date a routed question as asked at ``asked``, claimed and answered that many minutes
    later."""
    claimed_at = asked + timedelta(minutes=claimed) if claimed is not None else None
    answered_at = asked + timedelta(minutes=answered) if answered is not None else None
    thread.created_at = asked
    thread.last_activity_at = answered_at or asked
    db.session.execute(
        update(Post)
        .where(Post.thread_id == thread.id, Post.is_opening.is_(True))
        .values(created_at=asked)
    )
    if answered_at is not None:
        db.session.execute(
            update(Post)
            .where(Post.thread_id == thread.id, Post.is_opening.is_(False))
            .values(created_at=answered_at)
        )
    routed = {"routed_at": asked}
    if claimed_at is not None:
        routed["claimed_at"] = claimed_at
    if answered_at is not None:
        routed["answered_at"] = answered_at
    db.session.execute(
        update(RoutedQuestion).where(RoutedQuestion.thread_id == thread.id).values(**routed)
    )
    db.session.execute(
        update(QuestionRouting)
        .where(QuestionRouting.thread_id == thread.id)
        .values(routed_at=asked)
    )
    db.session.execute(
        update(QuestionRouting)
        .where(QuestionRouting.thread_id == thread.id, QuestionRouting.claimed_at.is_not(None))
        .values(claimed_at=claimed_at)
    )
    db.session.execute(
        update(QuestionRouting)
        .where(QuestionRouting.thread_id == thread.id, QuestionRouting.answered_at.is_not(None))
        .values(answered_at=answered_at)
    )
    db.session.flush()
