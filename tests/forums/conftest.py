"""A populated space for forum tests: owner, expert, two members and an outsider."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from community.accounts.models import User
from community.spaces.models import Space, SpaceRole


@dataclass
class Cast:
    space: Space
    owner: User
    expert: User
    asker: User
    member: User
    outsider: User


@pytest.fixture
def cast(create_space, space_owner, create_user, add_member) -> Cast:
    space = create_space("Imaging Workflows")
    expert, asker, member = create_user("erik"), create_user("casey"), create_user("greta")
    add_member(space, expert, role=SpaceRole.EXPERT)
    add_member(space, asker)
    add_member(space, member)
    return Cast(space, space_owner, expert, asker, member, create_user("outsider"))
