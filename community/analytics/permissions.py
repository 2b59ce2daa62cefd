"""Who may look at the numbers: analysts (R&D, community managers), moderators and admins."""

from __future__ import annotations

from community.permissions import Role, guardian, has_role


@guardian.rule("analytics.view")
def can_view_analytics(user, _obj=None) -> bool:
    return has_role(user, Role.ANALYST)
