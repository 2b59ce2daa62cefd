"""Demo ideas: proposals in English and Chinese across the pipeline, with votes and responses."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from community.accounts.models import User
from community.extensions import db
from community.ideas import operations as ideas
from community.spaces.models import Space


@dataclass(frozen=True)
class IdeaSeed:
    space: str
    author: str
    title: str
    body: str
    tags: str = ""
    voters: tuple[str, ...] = ()
    # (status, who answers, public response), in order
    steps: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)


IDEAS: tuple[IdeaSeed, ...] = (
    IdeaSeed(
        "imaging-workflows",
        "customer",
        "Show the daily QA result on the scanner's start screen",
        "Technologists start scanning before anyone opens the QA report. A green/red badge on "
        "the start screen would stop us scanning patients on a failed QA day.",
        "qa, usability",
        ("jamal", "sato", "greta", "lumen"),
        (
            (
                "under_review",
                "expert",
                "Good catch — we are checking how the QA service can push a status.",
            ),
            ("planned", "admin", "Planned for **CT-Vista 4.3**. Thanks to everyone who voted!"),
        ),
    ),
    IdeaSeed(
        "imaging-workflows",
        "jamal",
        "Plain-language patient preparation sheets in more languages",
        "Our city serves patients in 14 languages. Templates we can translate and print would help.",
        "accessibility, patients",
        ("customer", "liwei"),
    ),
    IdeaSeed(
        "imaging-workflows",
        "sato",
        "Remote service sessions should show what the engineer sees",
        "During remote sessions we'd like a read-only view of the engineer's screen.",
        "remote-service",
        ("customer", "greta"),
        (("shipped", "admin", "Shipped in the **4.2** remote service client."),),
    ),
    IdeaSeed(
        "home-cocreation",
        "wangfang",
        "小户型衣柜增加可选的推拉门套件",
        "很多顾客的卧室太小，平开门打开会挡住床头柜。希望提供一个可以后装的推拉门套件。",
        "衣柜, 小户型",
        ("liwei", "moderator", "greta"),
        (("under_review", "moderator", "设计团队正在评估滑轨和现有柜体的兼容性。"),),
    ),
    IdeaSeed(
        "home-cocreation",
        "liwei",
        "拼装说明增加扫码看视频",
        "每一步旁边放一个二维码，扫码就能看这一步的短视频，老人和学生也能看懂。",
        "组装, 说明书",
        ("wangfang", "customer"),
    ),
    IdeaSeed(
        "classroom",
        "liwei",
        "Let students post questions anonymously in class spaces",
        "Shy students don't ask. Teachers would still see who asked, for safety.",
        "classroom, anonymity",
        ("sato",),
        (
            (
                "declined",
                "moderator",
                "We can't offer anonymity that teachers can see through without breaking trust; see the discussion.",
            ),
        ),
    ),
)


def load_demo_ideas(people: dict[str, User]) -> int:
    """Create the demo ideas with their votes and status steps; caller commits."""
    for seed in IDEAS:
        space = db.session.scalar(select(Space).where(Space.slug == seed.space))
        idea = ideas.submit_idea(
            space, author=people[seed.author], title=seed.title, body=seed.body, tags=seed.tags
        )
        for voter in (seed.author, *seed.voters):
            ideas.cast_vote(idea, people[voter])
        for status, who, response in seed.steps:
            ideas.change_status(idea, status, response=response, by=people[who])
    return len(IDEAS)
