"""Demo products: two products owned by demo spaces, their releases with notes, every idea of
those spaces set to its product, and the shipped ones linked to the release that delivered
them, so that each roadmap has ideas in every column and each changelog credits customers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from community.accounts.models import User
from community.extensions import db
from community.ideas.models import Idea
from community.products import operations as products
from community.spaces.models import Space


@dataclass(frozen=True)
class ReleaseSeed:
    version: str
    days_ago: int
    notes: str
    # Titles of the shipped ideas it delivered.
    delivered: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProductSeed:
    name: str
    slug: str
    description: str
    spaces: tuple[str, ...]
    releases: tuple[ReleaseSeed, ...]


PRODUCTS: tuple[ProductSeed, ...] = (
    ProductSeed(
        "Imaging Suite",
        "imaging-suite",
        "Scanner software, remote service and the reporting tools radiology teams use every day.",
        ("imaging-workflows", "advisory-board"),
        (
            ReleaseSeed(
                "4.1",
                48,
                "- Faster start-up on older consoles\n- Protocol search by body part\n"
                "- Fixed: dose totals in the weekly export",
            ),
            ReleaseSeed(
                "4.2",
                6,
                "The **remote service client** now mirrors the engineer's screen, read-only "
                "and opt-in per session.\n\n- Session log attached to every service ticket\n"
                "- Chinese and Portuguese patient sheets in the print menu",
                ("Remote service sessions should show what the engineer sees",),
            ),
        ),
    ),
    ProductSeed(
        "Modular Home",
        "modular-home",
        "Flat-pack wardrobes, shelving and kitchens designed with the people who assemble them.",
        ("home-cocreation",),
        (
            ReleaseSeed("2026.10", 40, "- 新增胡桃木色门板\n- Shelf pins now fit both hole sizes"),
            ReleaseSeed(
                "2026.11",
                8,
                "Hardware now comes in **numbered bags**, one per step of the instructions. "
                "硬件按安装步骤分袋编号。",
                ("Assembly hardware in numbered bags, one per step",),
            ),
        ),
    ),
)


def load_demo_products(people: dict[str, User], now: datetime) -> None:
    """Create the demo products and releases, and tie the demo ideas to them (after
    ``load_demo_ideas``). Caller commits."""
    admin, moderator = people["admin"], people["moderator"]
    for seed in PRODUCTS:
        spaces = list(db.session.scalars(select(Space).where(Space.slug.in_(seed.spaces))))
        product = products.create_product(
            name=seed.name,
            slug=seed.slug,
            description=seed.description,
            space_ids=[space.id for space in spaces],
            by=admin,
        )
        for idea in db.session.scalars(
            select(Idea).where(Idea.space_id.in_([s.id for s in spaces])).order_by(Idea.id)
        ):
            updated = idea.updated_at
            step = products.set_idea_product(idea, product, by=moderator)
            step.created_at = idea.created_at + timedelta(hours=2)
            idea.updated_at = max(updated, step.created_at)
        for release_seed in seed.releases:
            release = products.create_release(
                product,
                version=release_seed.version,
                released_on=(now - timedelta(days=release_seed.days_ago)).date(),
                notes=release_seed.notes,
                by=admin,
            )
            for title in release_seed.delivered:
                idea = db.session.scalar(select(Idea).where(Idea.title == title))
                updated = idea.updated_at
                step = products.link_release(idea, release, by=moderator)
                step.created_at = idea.status_changed_at + timedelta(hours=1)
                idea.updated_at = max(updated, step.created_at)
    db.session.flush()
