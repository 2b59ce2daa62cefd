"""Realistic demo data in English and Chinese, inspired by the CKM classics.

Customers come from several organisations and segments (a medical-device maker like GE's
customers, a furniture retailer like IKEA's co-producers, a film studio like SGI's partners,
a school district and a city), plus company experts, a moderator and an admin. Later
features add their own demo content in :func:`load_demo`.
"""

from __future__ import annotations

from sqlalchemy import select

from community.accounts import operations as accounts
from community.accounts.models import User
from community.extensions import db
from community.permissions import Role

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


def load_demo() -> list[User]:
    """Create the demo accounts (and, as features arrive, their content). Caller commits."""
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
