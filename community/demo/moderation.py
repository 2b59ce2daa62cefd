"""Demo moderation: a spammer's reply hidden by three members' flags and waiting in the
queue, an off-topic thread flagged once, the spammer's profile flagged in the site queue, a
warning, and the audit entries they leave."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from community.accounts import operations as accounts
from community.accounts.models import User
from community.extensions import db
from community.forums import operations as forums
from community.forums.models import Thread
from community.moderation import operations as moderation
from community.spaces import operations as spaces
from community.spaces.models import Space

SPACE = "imaging-workflows"
FLAGGERS = ("customer", "sato", "jamal")


def load_demo_moderation(people: dict[str, User], now: datetime, password: str) -> User:
    """Flag and hide demo content in Imaging Workflows; returns the demo spammer's account."""
    space = db.session.scalar(select(Space).where(Space.slug == SPACE))
    spammer = accounts.register_user(
        username="probe_deals",
        email="probe_deals@cocreate.example",
        display_name="Probe Deals 4U",
        password=password,
    )
    accounts.update_profile(
        spammer,
        display_name=spammer.display_name,
        bio="Refurbished probes at 70% off! Message me for the price list.",
        organisation="",
        segment="",
        locale=None,
    )
    spaces.join_space(space, spammer)
    thread = db.session.scalar(
        select(Thread).where(Thread.space_id == space.id).order_by(Thread.id).limit(1)
    )
    reply = forums.reply_to_thread(
        thread,
        author=spammer,
        body="Tired of calibration? Buy refurbished probes at 70% off, link in my profile!!!",
    )
    for username in FLAGGERS:
        moderation.flag_content(
            reply, by=people[username], reason="spam", note="Advertising, not an answer."
        )
    off_topic = forums.start_thread(
        space,
        author=spammer,
        kind="discussion",
        title="Anyone selling used ultrasound carts?",
        body="Looking to buy or sell carts, DM me.",
    )
    moderation.flag_content(off_topic, by=people["customer"], reason="off_topic")
    moderation.flag_content(spammer, by=people["sato"], reason="spam", note="The bio is an advert.")
    moderation.warn(
        spammer,
        by=people["moderator"],
        space=space,
        reason="Please don't advertise here: Imaging Workflows is for questions and answers.",
    )
    return spammer
