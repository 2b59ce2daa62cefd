"""Demo ideas: proposals in English and Chinese at every status, with votes from customers of
many organisations, public responses and co-design replies, dated over the past two months.

Everything is created through the ordinary operations and then dated the way it would have
happened, so "trending" (recent votes and replies), "newest" and "top" each put different
ideas first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from community.accounts import operations as accounts
from community.accounts.models import User
from community.extensions import db
from community.forums import operations as forums
from community.forums.models import Post
from community.ideas import curation
from community.ideas import operations as ideas
from community.ideas.models import Idea, IdeaStatusChange, IdeaVote
from community.spaces import operations as spaces
from community.spaces.models import Space

#: Votes from this recent past count towards "trending" (see ``ideas.queries``).
RECENT = timedelta(days=13)


@dataclass(frozen=True)
class Supporter:
    """A customer who joins public spaces to vote and discuss (no printed demo login)."""

    username: str
    name: str
    organisation: str
    segment: str
    locale: str
    spaces: tuple[str, ...]


SUPPORTERS: tuple[Supporter, ...] = (
    Supporter("amelia", "Amelia Brooks", "Contoso Health", "enterprise", "en", ("imaging-workflows",)),
    Supporter("tomasz", "Tomasz Nowak", "Blue Harbour Clinics", "mid_market", "en", ("imaging-workflows",)),
    Supporter("priya", "Priya Raman", "Meridian Diagnostics", "small_business", "en", ("imaging-workflows",)),
    Supporter("olu", "Olu Adeyemi", "Riverton General Hospital", "public_sector", "en", ("imaging-workflows",)),
    Supporter("kenji", "Kenji Watanabe", "Independent", "individual", "en", ("imaging-workflows", "classroom")),
    Supporter("chenjing", "陈静", "杭州木语家具", "small_business", "zh_Hans", ("home-cocreation",)),
    Supporter("zhaolei", "赵磊", "北京悦居装饰", "partner", "zh_Hans", ("home-cocreation",)),
    Supporter("huangmin", "黄敏", "苏州家和家居", "mid_market", "zh_Hans", ("home-cocreation",)),
    Supporter("ingrid", "Ingrid Berg", "Nordlys Living", "enterprise", "en", ("home-cocreation",)),
    Supporter("liuyang", "刘洋", "成都七中", "education", "zh_Hans", ("classroom",)),
    Supporter("sofia", "Sofia Marques", "Lakeside School District", "education", "en", ("classroom",)),
)  # fmt: skip


@dataclass(frozen=True)
class IdeaSeed:
    space: str
    author: str
    title: str
    body: str
    tags: str = ""
    days_ago: float = 30
    voters: tuple[str, ...] = ()
    # How many of the last voters voted within ``RECENT``; the others soon after the idea.
    recent: int = 0
    # (status, who answers, public response, days ago), in order
    steps: tuple[tuple[str, str, str, float], ...] = field(default_factory=tuple)
    # (author, reply in the co-design thread, days ago)
    replies: tuple[tuple[str, str, float], ...] = field(default_factory=tuple)


IDEAS: tuple[IdeaSeed, ...] = (
    IdeaSeed(
        "imaging-workflows",
        "customer",
        "Show the daily QA result on the scanner's start screen",
        "Technologists start scanning before anyone opens the QA report. A green/red badge on "
        "the start screen would stop us scanning patients on a failed QA day.",
        "qa, usability",
        days_ago=52,
        voters=("jamal", "sato", "greta", "lumen", "amelia", "tomasz", "priya", "olu"),
        recent=1,
        steps=(
            (
                "under_review",
                "expert",
                "Good catch — we are checking how the QA service can push a status.",
                45,
            ),
            ("planned", "admin", "Planned for **CT-Vista 4.3**. Thanks to everyone who voted!", 30),
        ),
        replies=(
            ("amelia", "Same at Contoso: two rescans last quarter after a failed morning QA.", 48),
            ("expert", "Would an amber state for 'QA not run yet' help too?", 44),
            ("customer", "Yes — amber until the QA is done, red if it failed.", 43),
        ),
    ),
    IdeaSeed(
        "imaging-workflows",
        "jamal",
        "Plain-language patient preparation sheets in more languages",
        "Our city serves patients in 14 languages. Templates we can translate and print would help.",
        "accessibility, patients",
        days_ago=20,
        voters=("customer", "liwei", "amelia", "olu", "kenji"),
        recent=3,
    ),
    IdeaSeed(
        "imaging-workflows",
        "sato",
        "Remote service sessions should show what the engineer sees",
        "During remote sessions we'd like a read-only view of the engineer's screen.",
        "remote-service",
        days_ago=58,
        voters=("customer", "greta", "tomasz", "priya"),
        steps=(
            ("under_review", "expert", "We are checking what the service client can share.", 50),
            ("planned", "expert", "Planned: a read-only mirror, opt-in per session.", 40),
            ("in_progress", "expert", "In development; a pilot site starts next month.", 25),
            ("shipped", "admin", "Shipped in the **4.2** remote service client.", 6),
        ),
    ),
    IdeaSeed(
        "imaging-workflows",
        "amelia",
        "Export dose reports to our PACS as DICOM SR",
        "Our dose registry reads structured reports from PACS. Today we retype the CTDIvol and "
        "DLP values from a PDF, which is slow and error-prone.",
        "integrations, dose",
        days_ago=35,
        voters=("customer", "tomasz", "priya", "olu", "kenji", "jamal"),
        recent=2,
        steps=(
            ("under_review", "expert", "Thanks! Which PACS do you use? Reply below.", 28),
            (
                "in_progress",
                "expert",
                "Engineering has started on DICOM SR export; a beta comes with the next service pack.",
                9,
            ),
        ),
        replies=(("amelia", "Sectra here, and the dose registry is Radimetrics.", 27),),
    ),
    IdeaSeed(
        "imaging-workflows",
        "priya",
        "A queue view of today's scheduled scans for each room",
        "Front desk and technologists keep calling each other to ask what is next. One screen "
        "per room with today's queue, delays and no-shows would end that.",
        "workflow, scheduling",
        days_ago=24,
        voters=("customer", "jamal", "sato", "amelia", "tomasz", "olu", "kenji", "greta"),
        recent=6,
        steps=(
            (
                "under_review",
                "expert",
                "Lots of support this week. We are looking at the RIS interfaces we'd need.",
                5,
            ),
        ),
        replies=(
            ("tomasz", "Please show the patient's preparation status too (fasting, contrast).", 9),
            ("olu", "And the interpreter bookings — we lose a lot of time there.", 6),
            ("priya", "Both good points; I added them to the description of our workflow.", 4),
            ("kenji", "Could it be a browser page, so any screen in the hallway can show it?", 2),
        ),
    ),
    IdeaSeed(
        "imaging-workflows",
        "tomasz",
        "Warn before a contrast injector protocol is changed mid-shift",
        "A protocol edited during the day silently applies to the next patient. A warning with "
        "who changed what would catch mistakes.",
        "safety",
        days_ago=2,
        voters=("priya",),
        recent=1,
    ),
    IdeaSeed(
        "home-cocreation",
        "wangfang",
        "小户型衣柜增加可选的推拉门套件",
        "很多顾客的卧室太小，平开门打开会挡住床头柜。希望提供一个可以后装的推拉门套件。",
        "衣柜, 小户型",
        days_ago=40,
        voters=("liwei", "moderator", "greta", "chenjing", "zhaolei", "huangmin", "ingrid"),
        recent=2,
        steps=(
            ("under_review", "moderator", "设计团队正在评估滑轨和现有柜体的兼容性。", 33),
            (
                "planned",
                "moderator",
                "已排进明年春季的产品计划，先支持 80 cm 和 100 cm 两种柜宽。",
                12,
            ),
        ),
        replies=(
            ("chenjing", "我们门店一半的咨询都是小卧室，支持！", 38),
            ("zhaolei", "希望套件里带防夹手的缓冲器。", 11),
        ),
    ),
    IdeaSeed(
        "home-cocreation",
        "liwei",
        "拼装说明增加扫码看视频",
        "每一步旁边放一个二维码，扫码就能看这一步的短视频，老人和学生也能看懂。",
        "组装, 说明书",
        days_ago=30,
        voters=("wangfang", "customer", "chenjing", "huangmin", "greta"),
        recent=3,
        steps=(
            ("under_review", "moderator", "好主意，我们先挑三款最难装的柜子试拍视频。", 25),
            ("planned", "moderator", "计划随下一批说明书印刷一起上线。", 18),
            ("in_progress", "wangfang", "视频已经拍好两款，正在加字幕。", 4),
        ),
        replies=(("huangmin", "视频能不能也放在门店的平板上播放？", 3),),
    ),
    IdeaSeed(
        "home-cocreation",
        "greta",
        "Assembly hardware in numbered bags, one per step",
        "Half of our assembly calls are about a missing screw that was in the wrong bag. Number "
        "the bags to match the steps in the instructions.",
        "assembly, packaging",
        days_ago=44,
        voters=("wangfang", "ingrid", "zhaolei", "chenjing"),
        steps=(
            (
                "under_review",
                "moderator",
                "We are checking the packing line with our supplier.",
                38,
            ),
            ("planned", "moderator", "Planned for the autumn production run.", 30),
            ("in_progress", "wangfang", "第一批分步编号的包装已经在试产。", 20),
            (
                "shipped",
                "moderator",
                "已发布：秋季批次的所有柜体都改为分步编号的配件包。Shipped!",
                8,
            ),
        ),
    ),
    IdeaSeed(
        "home-cocreation",
        "huangmin",
        "门店可以在线预约上门测量",
        "顾客经常在周末来门店才发现需要先量尺寸。希望在小程序里直接预约设计师上门测量。",
        "配送, 预约",
        days_ago=5,
        voters=("chenjing", "zhaolei", "wangfang"),
        recent=3,
    ),
    IdeaSeed(
        "home-cocreation",
        "zhaolei",
        "所有柜体统一改成免工具安装",
        "装修队最怕带错工具。如果所有柜体都能免工具安装，能省下不少上门时间。",
        "组装",
        days_ago=36,
        voters=("huangmin",),
        steps=(
            ("under_review", "moderator", "我们和结构工程师一起看一下。", 30),
            (
                "declined",
                "moderator",
                "承重柜体仍需要螺丝固定，出于安全考虑我们不会取消；免工具的抽屉滑轨会单独评估。",
                21,
            ),
        ),
    ),
    IdeaSeed(
        "classroom",
        "liwei",
        "Let students post questions anonymously in class spaces",
        "Shy students don't ask. Teachers would still see who asked, for safety.",
        "classroom, anonymity",
        days_ago=33,
        voters=("sato", "sofia"),
        steps=(
            (
                "declined",
                "moderator",
                "We can't offer anonymity that teachers can see through without breaking trust; see the discussion.",
                20,
            ),
        ),
        replies=(
            ("sofia", "Could students at least post under a class nickname?", 30),
            ("moderator", "A nickname the teacher can see through is still not anonymous.", 21),
        ),
    ),
    IdeaSeed(
        "classroom",
        "liuyang",
        "作业提醒同步到家长微信",
        "很多家长不常登录平台，作业截止前一天如果能把提醒推送到家长微信，会少很多漏交。",
        "课堂, 通知",
        days_ago=12,
        voters=("liwei", "sofia", "jamal", "kenji"),
        recent=4,
        steps=(("under_review", "sato", "正在确认微信模板消息的审核要求。", 3),),
        replies=(("sofia", "An e-mail digest would work for our parents in the US.", 7),),
    ),
    IdeaSeed(
        "classroom",
        "sofia",
        "A reading-level indicator on knowledge articles",
        "Teachers want to know at a glance whether an article suits grade 5 or grade 9.",
        "classroom, accessibility",
        days_ago=1,
        voters=("kenji",),
        recent=1,
    ),
    IdeaSeed(
        "rendering-partners",
        "lumen",
        "A GPU memory report for every shot after a render",
        "We find out a shot nearly ran out of GPU memory only when it fails on the farm. A "
        "per-shot peak-memory report would let us split heavy shots in time.",
        "rendering, gpu",
        days_ago=41,
        voters=("sato", "expert"),
        steps=(
            (
                "under_review",
                "expert",
                "We can read the peak from the driver; checking the cost.",
                34,
            ),
            ("planned", "expert", "Planned for the 2.8 render node agent.", 15),
        ),
    ),
    IdeaSeed(
        "advisory-board",
        "customer",
        "Quarterly roadmap preview for advisory members",
        "A 30-minute call each quarter with the product managers, before the roadmap is public.",
        "roadmap",
        days_ago=28,
        voters=("greta", "lumen", "jamal"),
        recent=1,
        steps=(
            ("under_review", "admin", "Happy to try it — which time zones should we cover?", 21),
            ("in_progress", "admin", "The first preview is being scheduled for next month.", 10),
        ),
    ),
)


def load_demo_ideas(people: dict[str, User], now: datetime, password: str) -> list[User]:
    """Create the supporters (signing in with ``password``) and the demo ideas with their
    votes, status steps and replies, dated before ``now``; returns the supporters. Caller
    commits."""
    supporters = _create_supporters(password)
    everyone = {**people, **{user.username: user for user in supporters}}
    for seed in IDEAS:
        _create_idea(seed, everyone, now)
    return supporters


def _create_supporters(password: str) -> list[User]:
    created = []
    for seed in SUPPORTERS:
        user = accounts.register_user(
            username=seed.username,
            email=f"{seed.username}@supporters.example",
            display_name=seed.name,
            password=password,
            locale=seed.locale,
        )
        accounts.update_profile(
            user,
            display_name=seed.name,
            bio="",
            organisation=seed.organisation,
            segment=seed.segment,
            locale=seed.locale,
        )
        for slug in seed.spaces:
            space = db.session.scalar(select(Space).where(Space.slug == slug))
            membership = spaces.join_space(space, user)
            membership.created_at = space.created_at + timedelta(days=1, hours=len(created))
        created.append(user)
    return created


def _create_idea(seed: IdeaSeed, people: dict[str, User], now: datetime) -> None:
    space = db.session.scalar(select(Space).where(Space.slug == seed.space))
    idea = ideas.submit_idea(
        space, author=people[seed.author], title=seed.title, body=seed.body, tags=seed.tags
    )
    for voter in (seed.author, *seed.voters):
        ideas.cast_vote(idea, people[voter])
    replies = [
        forums.reply_to_thread(idea.thread, author=people[author], body=body)
        for author, body, _days in seed.replies
    ]
    for status, who, response, _days in seed.steps:
        curation.change_status(idea, status, response=response, by=people[who])
    _backdate(idea, seed, replies, people, now)


def _backdate(
    idea: Idea, seed: IdeaSeed, replies: list[Post], people: dict[str, User], now: datetime
) -> None:
    """Date the idea, its thread, votes, replies and status steps as the seed tells."""
    created = now - timedelta(days=seed.days_ago)
    opening = db.session.scalar(
        select(Post).where(Post.thread_id == idea.thread_id, Post.is_opening.is_(True))
    )
    idea.created_at = idea.thread.created_at = opening.created_at = created
    moments = [created]
    times = _vote_times(created, now, len(seed.voters), seed.recent)
    for username, voted_at in zip((seed.author, *seed.voters), times, strict=True):
        vote = db.session.scalar(
            select(IdeaVote).where(
                IdeaVote.idea_id == idea.id, IdeaVote.user_id == people[username].id
            )
        )
        vote.created_at = voted_at
        moments.append(voted_at)
    for post, (_author, _body, days) in zip(replies, seed.replies, strict=True):
        post.created_at = now - timedelta(days=days)
        moments.append(post.created_at)
    idea.thread.last_activity_at = max([created, *(p.created_at for p in replies)])
    changes = db.session.scalars(
        select(IdeaStatusChange)
        .where(IdeaStatusChange.idea_id == idea.id)
        .order_by(IdeaStatusChange.id)
    )
    for change, (*_step, days) in zip(changes, seed.steps, strict=True):
        change.created_at = idea.status_changed_at = now - timedelta(days=days)
        moments.append(change.created_at)
    idea.updated_at = max(moments)
    db.session.flush()


def _vote_times(created: datetime, now: datetime, voters: int, recent: int) -> list[datetime]:
    """The author's vote when posting; then the earlier voters spread over the idea's life
    before the recent window, and the last ``recent`` voters spread over that window."""
    window = max(created, now - RECENT)
    earlier = voters - recent
    times = [created + timedelta(minutes=1)]
    times += [created + (window - created) * (i + 1) / (earlier + 1) for i in range(earlier)]
    times += [window + (now - window) * (i + 1) / (recent + 1) for i in range(recent)]
    return times
