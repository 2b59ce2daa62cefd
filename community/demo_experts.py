"""Demo expertise: people declare what they know, admins and space moderators verify it, and
Rendering Partners becomes an expert community. Made through the ordinary operations."""

from __future__ import annotations

from sqlalchemy import select

from community.accounts.models import User
from community.experts import operations as experts
from community.experts.models import Expertise
from community.extensions import db
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
