"""Permission rules for products, releases and the links between ideas and them."""

from __future__ import annotations

from community.ideas.models import Idea
from community.permissions import Role, guardian, has_role


@guardian.rule("product.manage")
def can_manage_products(user, _obj=None) -> bool:
    """Site admins create and edit products, the spaces that own them, and releases."""
    return has_role(user, Role.ADMIN)


@guardian.rule("idea.set_product")
def can_set_product(user, idea: Idea) -> bool:
    """Moderators of the idea's space (and site admins) say which product an idea is for."""
    return guardian.can(user, "idea.view", idea) and guardian.can(
        user, "space.moderate", idea.space
    )


@guardian.rule("idea.link_release")
def can_link_release(user, idea: Idea) -> bool:
    """Whoever sets the product links a shipped idea to the release that delivered it."""
    return can_set_product(user, idea)
