"""Realistic demo data in English and Chinese, inspired by the CKM classics.

Customers come from several organisations and segments (a medical-device maker like GE's
customers, a furniture retailer like IKEA's co-producers, a film studio like SGI's partners,
a school district and a city), plus company experts, a moderator and an admin. They meet in
five spaces (public, restricted and private, in English and Chinese) whose threads are data in
:mod:`community.demo.content`, loaded here through the ordinary operations. Later features
add their own demo content in :func:`load_demo`.
"""

from __future__ import annotations

import textwrap
from datetime import datetime, timedelta

from sqlalchemy import select

from community.accounts import operations as accounts
from community.accounts.models import User
from community.analytics import rollup
from community.database import utcnow
from community.demo.brainstorms import load_demo_brainstorms
from community.demo.content import SPACES, THREADS, SpaceSeed, ThreadSeed
from community.demo.experts import load_demo_expertise, load_demo_routing
from community.demo.ideas import load_demo_ideas
from community.demo.knowledge import load_demo_knowledge
from community.demo.moderation import load_demo_moderation
from community.demo.notifications import load_demo_notifications
from community.demo.products import load_demo_products
from community.extensions import db
from community.forums import operations as forums
from community.forums.models import Post, Thread
from community.ideas import time_in_status, trending
from community.permissions import Role
from community.progress import NO_PROGRESS, Progress
from community.spaces import operations as spaces
from community.spaces.models import Membership, Space, SpaceRole, Visibility
from community.spaces.permissions import membership_of

DEMO_PASSWORD = "cocreate-demo"

# (username, display name, e-mail, role, organisation, segment, locale, bio)
DEMO_USERS: list[tuple[str, str, str, Role, str, str, str, str]] = [
    (
        "admin",
        "Ada Okafor",
        "admin@cocreate.example",
        Role.ADMIN,
        "Cocreate Inc.",
        "staff",
        "en",
        "Runs the Cocreate site: products, releases, communities and accounts.",
    ),
    (
        "moderator",
        "林美 Lin Mei",
        "moderator@cocreate.example",
        Role.MODERATOR,
        "Cocreate Inc.",
        "staff",
        "zh_Hans",
        "社区经理，负责头脑风暴会议和创意评审。Community manager; runs brainstorming sessions.",
    ),
    (
        "expert",
        "Erik Lindqvist",
        "expert@cocreate.example",
        Role.EXPERT,
        "Cocreate Inc.",
        "staff",
        "en",
        "Product engineer for imaging devices. Ask me about calibration and workflows.",
    ),
    (
        "customer",
        "Casey Morgan",
        "customer@cocreate.example",
        Role.MEMBER,
        "Northwind Medical Imaging",
        "enterprise",
        "en",
        "Radiology operations lead. I care about uptime and quick answers.",
    ),
    (
        "wangfang",
        "王芳",
        "wang.fang@mingyuan-home.example",
        Role.MEMBER,
        "上海明远家居",
        "mid_market",
        "zh_Hans",
        "家居门店运营，喜欢和客户一起设计新的产品组合。",
    ),
    (
        "liwei",
        "李伟",
        "li.wei@qinghe-school.example",
        Role.MEMBER,
        "清河实验学校",
        "education",
        "zh_Hans",
        "信息技术老师，关注课堂里的易用性。",
    ),
    (
        "greta",
        "Greta Holm",
        "greta@fjordhus.example",
        Role.MEMBER,
        "Fjordhus Interiors",
        "enterprise",
        "en",
        "Assembly instructions and flat-pack logistics are my daily bread.",
    ),
    (
        "lumen",
        "Rafael Ortiz",
        "rafael@studiolumen.example",
        Role.MEMBER,
        "Studio Lumen Films",
        "small_business",
        "en",
        "VFX supervisor. We push rendering hardware to its limits.",
    ),
    (
        "jamal",
        "Jamal Reed",
        "jamal.reed@riverton.example",
        Role.MEMBER,
        "City of Riverton",
        "public_sector",
        "en",
        "Digital services for citizens; accessibility first.",
    ),
    (
        "sato",
        "佐藤 Hana Sato",
        "hana.sato@example.net",
        Role.EXPERT,
        "Independent",
        "individual",
        "en",
        "Long-time power user and community expert on integrations.",
    ),
]

DEMO_LOGINS = ["admin", "moderator", "expert", "customer"]


def demo_loaded() -> bool:
    """True when the demo accounts are already in the database."""
    return db.session.scalar(select(User.id).where(User.username_key == "admin")) is not None


def load_demo(progress: Progress = NO_PROGRESS) -> list[User]:
    """Create the demo accounts, spaces, threads, expertise, routed questions, ideas, products
    with releases, knowledge base articles, brainstorms, moderation cases and notifications;
    return the accounts. Caller commits."""
    # The accounts, each space with its threads, eight features and the rollup; the trending
    # recount says how many ideas it counts.
    progress.expect(1 + len(SPACES) + 8 + 1)
    users = _create_users()
    progress.advance()
    people = {user.username: user for user in users}
    now = utcnow()
    for seed in SPACES:
        space = _create_space(seed, people, now)
        for thread_seed in THREADS.get(seed.slug, ()):
            _create_thread(space, thread_seed, people, now)
        progress.advance()
    load_demo_expertise(people)
    load_demo_routing(people, now)
    supporters = load_demo_ideas(people, now, DEMO_PASSWORD)
    progress.advance(3)
    load_demo_products(people, now)
    load_demo_knowledge(people, now)
    load_demo_brainstorms({**people, **{user.username: user for user in supporters}}, now)
    progress.advance(3)
    spammer = load_demo_moderation(people, now, DEMO_PASSWORD)
    load_demo_notifications(people)
    progress.advance(2)
    # The demo backdates posts, votes and status steps after writing them: count the rollup,
    # the trending values and the time in each status from them again.
    rollup.rebuild()
    progress.advance()
    trending.recount_all(progress=progress)
    time_in_status.recount()
    return users + supporters + [spammer]


def _create_users() -> list[User]:
    users = []
    for username, name, email, role, org, segment, locale, bio in DEMO_USERS:
        user = accounts.register_user(
            username=username,
            email=email,
            display_name=name,
            password=DEMO_PASSWORD,
            locale=locale,
            role=role,
        )
        accounts.update_profile(
            user, display_name=name, bio=bio, organisation=org, segment=segment, locale=locale
        )
        users.append(user)
    return users


def _create_space(seed: SpaceSeed, people: dict[str, User], now: datetime) -> Space:
    """The space with its members, their roles and any pending requests, founded
    ``seed.age_days`` ago."""
    owner = people[seed.owner]
    space = spaces.create_space(
        name=seed.name,
        description=seed.description,
        visibility=seed.visibility,
        tags=seed.tags,
        by=owner,
        slug=seed.slug,
    )
    members = _add_members(space, seed, people)
    for username in seed.experts:
        spaces.set_member_role(members[username], SpaceRole.EXPERT, by=owner)
    for username in seed.moderators:
        spaces.set_member_role(members[username], SpaceRole.MODERATOR, by=owner)
    for username, note in seed.pending:
        spaces.request_to_join(space, people[username], note)
    founded = now - timedelta(days=seed.age_days)
    space.created_at = founded
    joined = [membership_of(owner, space), *members.values()]
    for day, membership in enumerate(joined):
        membership.created_at = founded + timedelta(days=day, hours=1)
    db.session.flush()
    return space


def _add_members(space: Space, seed: SpaceSeed, people: dict[str, User]) -> dict[str, Membership]:
    """Bring members in the way the space's visibility allows: public spaces are joined,
    restricted ones asked and approved, private ones entered through an invite link."""
    owner = people[seed.owner]
    if seed.visibility == Visibility.PUBLIC:
        return {name: spaces.join_space(space, people[name]) for name in seed.members}
    if seed.visibility == Visibility.PRIVATE:
        _invite, token = spaces.create_invite(space, by=owner, days=30)
        return {name: spaces.accept_invite(token, people[name]) for name in seed.members}
    notes = dict(seed.join_notes)
    members = {}
    for name in seed.members:
        membership = spaces.request_to_join(space, people[name], notes.get(name, ""))
        spaces.decide_request(membership, approve=True, by=owner)
        members[name] = membership
    return members


def _create_thread(space: Space, seed: ThreadSeed, people: dict[str, User], now: datetime) -> None:
    """The thread and its replies, helpful marks, accepted answer, pin and lock, dated as if
    written over the days since ``seed.days_ago``."""
    thread = forums.start_thread(
        space,
        author=people[seed.author],
        kind=seed.kind,
        title=seed.title,
        body=_markdown(seed.body),
        tags=seed.tags,
    )
    replies = [
        forums.reply_to_thread(thread, author=people[reply.author], body=_markdown(reply.body))
        for reply in seed.replies
    ]
    for reply, post in zip(seed.replies, replies, strict=True):
        for username in reply.helpful:
            forums.mark_helpful(post, people[username])
        if reply.accepted_by:
            forums.accept_answer(post, by=people[reply.accepted_by])
    if seed.pinned_by:
        forums.set_pinned(thread, True, by=people[seed.pinned_by])
    if seed.locked_by:
        forums.set_locked(thread, True, by=people[seed.locked_by])
    _backdate(thread, replies, started=now - timedelta(days=seed.days_ago), now=now)


def _backdate(thread: Thread, replies: list[Post], *, started: datetime, now: datetime) -> None:
    """Spread the thread over time: replies follow the opening post a few hours apart."""
    opening = db.session.scalar(
        select(Post).where(Post.thread_id == thread.id, Post.is_opening.is_(True))
    )
    gap = min(timedelta(hours=5), (now - started) / (len(replies) + 1))
    thread.created_at = opening.created_at = started
    for number, post in enumerate(replies, start=1):
        post.created_at = started + gap * number
    thread.last_activity_at = replies[-1].created_at if replies else started
    db.session.flush()


def _markdown(text: str) -> str:
    """A post body written indented in :mod:`community.demo.content`, as plain Markdown."""
    return textwrap.dedent(text).strip()
