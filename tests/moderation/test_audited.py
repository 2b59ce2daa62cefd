"""Every moderator, owner and admin act leaves one entry in the audit log.

``AUDITED`` names each such operation with the audit action it records, and a scenario that
does it as a moderator, owner or admin would; ``NOT_MODERATION`` says why every other public
function of an ``operations.py`` (or of a module it was split into, ``SPLIT_OPERATIONS``) is
not one. A new operation must be put in one or the other, or
``test_every_operation_is_classified`` fails.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import select

from community.accounts import operations as accounts
from community.accounts.models import User
from community.backups import operations as backups
from community.experts import operations as experts
from community.experts.models import Expertise
from community.extensions import db
from community.forums import operations as forums
from community.forums.models import Post
from community.ideas import curation
from community.ideas import operations as ideas
from community.jobs import operations as jobs
from community.jobs.models import FailedJob
from community.knowledge import operations as knowledge
from community.knowledge.models import Article
from community.moderation import operations as moderation
from community.moderation.models import AuditEvent
from community.permissions import Role
from community.products import operations as products
from community.settings import operations as settings
from community.spaces import operations as spaces
from community.spaces.models import Membership, MembershipState, Space, SpaceInvite, SpaceRole
from tests.fixtures.app import act


@dataclass
class World:
    """What the scenarios act on: the cast's space, its moderator, an admin, factories."""

    app: object
    cast: object
    mod: object
    admin: object
    f: dict[str, Callable]

    def thread(self, author=None, **kwargs):
        return self.f["create_thread"](self.cast.space, author or self.cast.member, **kwargs)

    def reply(self, thread, author=None):
        return self.f["create_reply"](thread, author or self.cast.asker)

    def idea(self, author=None, **kwargs):
        return self.f["create_idea"](self.cast.space, author or self.cast.member, **kwargs)

    def opening(self, thread) -> Post:
        with self.app.app_context():
            return Post(
                id=db.session.scalar(
                    select(Post.id).where(Post.thread_id == thread.id, Post.is_opening.is_(True))
                )
            )

    def row(self, model, **where):
        with self.app.app_context():
            row = db.session.scalar(select(model).filter_by(**where))
            db.session.expunge(row)
            return row


#: operation → (the audit action it records, scenario: setup, then the act and its actor)
AUDITED: dict[str, tuple[str, Callable[[World], tuple[object, Callable[[], object]]]]] = {}


def audited(operation: str, action: str):
    def register(scenario):
        AUDITED[operation] = (action, scenario)
        return scenario

    return register


# Forums ------------------------------------------------------------------------------------


@audited("forums.set_pinned", "pin")
def _pin(w):
    thread = w.thread()
    return w.mod, lambda: act(w.app, forums.set_pinned, thread, True, by=w.mod)


@audited("forums.set_locked", "lock")
def _lock(w):
    thread = w.thread()
    return w.mod, lambda: act(w.app, forums.set_locked, thread, True, by=w.mod)


@audited("forums.move_thread", "move")
def _move(w):
    thread = w.thread()
    other = w.f["create_space"]("Elsewhere")
    w.f["add_member"](other, w.mod, role=SpaceRole.MODERATOR)
    return w.mod, lambda: act(w.app, forums.move_thread, thread, other, by=w.mod, reason="Better")


@audited("forums.delete_post", "delete")
def _delete_post(w):
    reply = w.reply(w.thread())
    return w.mod, lambda: act(w.app, forums.delete_post, reply, by=w.mod)


@audited("forums.restore_post", "restore")
def _restore_post(w):
    reply = w.reply(w.thread())
    act(w.app, forums.delete_post, reply, by=w.cast.asker)  # by its author: no moderation
    return w.mod, lambda: act(w.app, forums.restore_post, reply, by=w.mod)


@audited("forums.edit_post", "edit")
def _edit_post(w):
    reply = w.reply(w.thread())
    return w.mod, lambda: act(
        w.app, forums.edit_post, reply, by=w.mod, body="Tidied up", reason="Formatting"
    )


@audited("forums.accept_answer", "accept_answer")
def _accept(w):
    reply = w.reply(w.thread(w.cast.member, kind="question"), w.cast.expert)
    return w.mod, lambda: act(w.app, forums.accept_answer, reply, by=w.mod)


@audited("forums.unaccept_answer", "unaccept_answer")
def _unaccept(w):
    thread = w.thread(w.cast.member, kind="question")
    act(w.app, forums.accept_answer, w.reply(thread, w.cast.expert), by=w.cast.member)
    return w.mod, lambda: act(w.app, forums.unaccept_answer, thread, by=w.mod)


# Ideas -------------------------------------------------------------------------------------


@audited("ideas.edit_idea", "edit")
def _edit_idea(w):
    idea = w.idea()
    return w.mod, lambda: act(
        w.app, ideas.edit_idea, idea, by=w.mod, title="Clearer", body="Clearer", reason="Typos"
    )


@audited("ideas.change_status", "idea_status")
def _status(w):
    idea = w.idea()
    return w.mod, lambda: act(
        w.app, curation.change_status, idea, "planned", response="Next quarter", by=w.mod
    )


@audited("ideas.bulk_change_status", "idea_status")
def _bulk_status(w):
    idea = w.idea()

    def run():
        with w.app.test_request_context():
            found = db.session.get(type(idea), idea.id)
            by = db.session.get(type(w.mod), w.mod.id)
            curation.bulk_change_status([found], "planned", response="Soon", by=by)
            db.session.commit()

    return w.mod, run


@audited("ideas.bulk_retag", "retag")
def _retag(w):
    idea = w.idea(tags="ui")

    def run():
        with w.app.test_request_context():
            found = db.session.get(type(idea), idea.id)
            by = db.session.get(type(w.mod), w.mod.id)
            curation.bulk_retag([found], add="ux", remove="ui", by=by)
            db.session.commit()

    return w.mod, run


@audited("ideas.merge_idea", "idea_merge")
def _merge(w):
    duplicate, original = w.idea(), w.idea()
    return w.mod, lambda: act(
        w.app, curation.merge_idea, duplicate, original.id, response="Same idea", by=w.mod
    )


@audited("ideas.unmerge_idea", "idea_unmerge")
def _unmerge(w):
    duplicate, original = w.idea(), w.idea()
    act(w.app, curation.merge_idea, duplicate, original.id, response="Same idea", by=w.mod)
    return w.mod, lambda: act(w.app, curation.unmerge_idea, duplicate, response="Not", by=w.mod)


@audited("ideas.delete_idea", "delete")
def _delete_idea(w):
    idea = w.idea()
    return w.mod, lambda: act(w.app, ideas.delete_idea, idea, by=w.mod)


# Spaces, accounts, settings ----------------------------------------------------------------


@audited("spaces.update_space", "space_edit")
def _update_space(w):
    space = w.cast.space
    return w.cast.owner, lambda: act(
        w.app,
        spaces.update_space,
        space,
        name="Imaging Workflows",
        description="Renamed",
        visibility="restricted",
        tags="",
        slug=space.slug,
        by=w.cast.owner,
    )


@audited("spaces.set_vote_budget", "settings")
def _budget(w):
    return w.mod, lambda: act(w.app, spaces.set_vote_budget, w.cast.space, 3, by=w.mod)


@audited("spaces.decide_request", "join_approve")
def _decide(w):
    newcomer = w.f["create_user"]("newcomer")
    w.f["add_member"](w.cast.space, newcomer, state=MembershipState.PENDING)
    pending = w.row(Membership, user_id=newcomer.id, space_id=w.cast.space.id)
    return w.mod, lambda: act(w.app, spaces.decide_request, pending, approve=True, by=w.mod)


@audited("spaces.set_member_role", "member_role")
def _member_role(w):
    membership = w.row(Membership, user_id=w.cast.member.id, space_id=w.cast.space.id)
    return w.mod, lambda: act(w.app, spaces.set_member_role, membership, SpaceRole.EXPERT, by=w.mod)


@audited("spaces.ban_member", "ban")
def _ban(w):
    return w.mod, lambda: act(
        w.app, spaces.ban_member, w.cast.space, w.cast.member, by=w.mod, reason="Spam"
    )


@audited("spaces.unban_member", "unban")
def _unban(w):
    act(w.app, spaces.ban_member, w.cast.space, w.cast.member, by=w.mod, reason="Spam")
    banned = w.row(Membership, user_id=w.cast.member.id, space_id=w.cast.space.id)
    return w.mod, lambda: act(w.app, spaces.unban_member, banned, by=w.mod)


@audited("spaces.create_invite", "invite_create")
def _invite(w):
    return w.mod, lambda: act(w.app, spaces.create_invite, w.cast.space, by=w.mod, days=3)


@audited("spaces.revoke_invite", "invite_revoke")
def _revoke_invite(w):
    act(w.app, spaces.create_invite, w.cast.space, by=w.mod)
    invite = w.row(SpaceInvite, space_id=w.cast.space.id)
    return w.mod, lambda: act(w.app, spaces.revoke_invite, invite, by=w.mod)


@audited("accounts.change_role", "site_role")
def _site_role(w):
    return w.admin, lambda: act(
        w.app, accounts.change_role, w.cast.member, Role.MODERATOR, by=w.admin
    )


@audited("settings.set_setting", "site_setting")
def _setting(w):
    return w.admin, lambda: act(
        w.app, settings.set_setting, "space_creation_role", "admin", by=w.admin
    )


@audited("backups.create_backup", "backup_create")
def _backup(w):
    _revision_stamped(w.app)
    return w.admin, lambda: act(w.app, backups.create_backup, by=w.admin)


@audited("backups.delete_backup", "backup_delete")
def _delete_backup(w):
    _revision_stamped(w.app)
    with w.app.app_context():
        backup = backups.make_backup()
    return w.admin, lambda: act(w.app, backups.delete_backup, backup, by=w.admin)


def _revision_stamped(app) -> None:
    """A backup needs the schema revision that ``flask db upgrade`` records."""
    with app.app_context():
        flask_migrate.stamp()


@audited("knowledge.delete_article", "article_delete")
def _delete_article(w):
    with w.app.test_request_context():
        article = knowledge.create_article(
            db.session.get(Space, w.cast.space.id),
            title="Calibrating",
            body="Steps",
            by=db.session.get(User, w.cast.expert.id),
        )
        db.session.commit()
        article = Article(id=article.id)
    return w.mod, lambda: act(w.app, knowledge.delete_article, article, by=w.mod)


# Products and expertise --------------------------------------------------------------------


@audited("products.create_product", "product_create")
def _create_product(w):
    return w.admin, lambda: act(
        w.app, products.create_product, name="Viewer", space_ids=[w.cast.space.id], by=w.admin
    )


@audited("products.edit_product", "product_edit")
def _edit_product(w):
    product = w.f["create_product"]([w.cast.space])
    return w.admin, lambda: act(
        w.app,
        products.edit_product,
        product,
        name="Renamed",
        slug=product.slug,
        description="",
        space_ids=[w.cast.space.id],
        by=w.admin,
    )


@audited("products.create_release", "release_create")
def _create_release(w):
    product = w.f["create_product"]([w.cast.space])
    return w.admin, lambda: act(
        w.app,
        products.create_release,
        product,
        version="1.0",
        released_on=date(2026, 10, 1),
        by=w.admin,
    )


@audited("products.edit_release", "release_edit")
def _edit_release(w):
    release = w.f["create_release"](w.f["create_product"]([w.cast.space]), "1.0")
    return w.admin, lambda: act(
        w.app,
        products.edit_release,
        release,
        version="1.0.1",
        released_on=date(2026, 10, 2),
        by=w.admin,
    )


@audited("products.set_idea_product", "idea_product")
def _idea_product(w):
    idea, product = w.idea(), w.f["create_product"]([w.cast.space])
    return w.mod, lambda: act(w.app, products.set_idea_product, idea, product, by=w.mod)


@audited("products.link_release", "idea_release")
def _link_release(w):
    idea, product = w.idea(), w.f["create_product"]([w.cast.space])
    release = w.f["create_release"](product, "2.0")
    act(w.app, products.set_idea_product, idea, product, by=w.mod)
    act(w.app, curation.change_status, idea, "shipped", response="Out now", by=w.mod)
    return w.mod, lambda: act(w.app, products.link_release, idea, release, by=w.mod)


@audited("brainstorms.take_over", "take_over")
def _take_over(w):
    from community.brainstorms import operations as brainstorms
    from community.brainstorms.models import BrainstormSession

    with w.app.test_request_context():
        space, expert = (
            db.session.get(Space, w.cast.space.id),
            db.session.get(User, w.cast.expert.id),
        )
        session_id = brainstorms.create_session(space, by=expert, prompt="Why?").id
        db.session.commit()
    # Its facilitator is not on the board: a moderator of the space takes over.
    return w.mod, lambda: act(
        w.app, brainstorms.take_over, BrainstormSession(id=session_id), by=w.mod
    )


@audited("experts.verify_expertise", "expertise_verify")
def _verify(w):
    w.f["declare"](w.cast.member, "ct")
    expertise = w.row(Expertise, user_id=w.cast.member.id, tag="ct")
    return w.mod, lambda: act(
        w.app, experts.verify_expertise, expertise, by=w.mod, space=w.cast.space
    )


@audited("experts.revoke_verification", "expertise_revoke")
def _revoke(w):
    w.f["declare"](w.cast.member, "ct")
    w.f["verify"](w.cast.member, "ct", by=w.mod, space=w.cast.space)
    expertise = w.row(Expertise, user_id=w.cast.member.id, tag="ct")
    return w.mod, lambda: act(w.app, experts.revoke_verification, expertise, by=w.mod)


# Moderation's own acts ---------------------------------------------------------------------


def _case_of(w, target):
    case_id = w.f["flag"](target, w.f["flaggers"][0], "spam")
    return w.row(moderation.ModerationCase, id=case_id)


@audited("moderation.approve", "approve")
def _approve(w):
    reply = w.reply(w.thread())
    case = _case_of(w, reply)
    with w.app.app_context():
        seen = moderation.words_digest(db.session.get(Post, reply.id))
    return w.mod, lambda: act(w.app, moderation.approve, case, by=w.mod, reason="Ok", seen=seen)


@audited("moderation.hide", "hide")
def _hide(w):
    case = _case_of(w, w.reply(w.thread()))
    return w.mod, lambda: act(w.app, moderation.hide, case, by=w.mod, reason="Rude")


@audited("moderation.delete", "delete")
def _queue_delete(w):
    case = _case_of(w, w.reply(w.thread()))
    return w.mod, lambda: act(w.app, moderation.delete, case, by=w.mod, reason="Spam")


@audited("moderation.lock", "lock")
def _queue_lock(w):
    case = _case_of(w, w.thread())
    return w.mod, lambda: act(w.app, moderation.lock, case, by=w.mod, reason="Heated")


@audited("moderation.warn", "warn")
def _warn(w):
    return w.mod, lambda: act(
        w.app, moderation.warn, w.cast.member, by=w.mod, reason="Be kind", space=w.cast.space
    )


@audited("moderation.ban", "ban")
def _queue_ban(w):
    return w.mod, lambda: act(
        w.app, moderation.ban, w.cast.member, w.cast.space, by=w.mod, reason="Spam", days=3
    )


@audited("moderation.suspend", "suspend")
def _suspend(w):
    return w.admin, lambda: act(
        w.app, moderation.suspend, w.cast.member, by=w.admin, reason="Spam", days=3
    )


@audited("moderation.unsuspend", "unsuspend")
def _unsuspend(w):
    act(w.app, moderation.suspend, w.cast.member, by=w.admin, reason="Spam", days=3)
    return w.admin, lambda: act(
        w.app, moderation.unsuspend, w.cast.member, by=w.admin, reason="Appealed"
    )


@audited("jobs.retry_failed_job", "job_retry")
def _retry_job(w):
    failed = _failed_job(w)
    return w.admin, lambda: act(w.app, jobs.retry_failed_job, failed, by=w.admin)


@audited("jobs.delete_failed_job", "job_delete")
def _delete_job(w):
    failed = _failed_job(w)
    return w.admin, lambda: act(w.app, jobs.delete_failed_job, failed, by=w.admin)


def _failed_job(w) -> FailedJob:
    with w.app.app_context():
        failed = jobs.record_failure("analytics.rebuild", {}, "Traceback: boom", attempts=1)
        db.session.commit()
        db.session.refresh(failed)
        db.session.expunge(failed)
        return failed


@audited("moderation.set_hold_new_posts", "settings")
def _hold_setting(w):
    return w.mod, lambda: act(w.app, moderation.set_hold_new_posts, w.cast.space, True, by=w.mod)


@audited("moderation.hold", "hold")
def _hold(w):
    reply = w.reply(w.thread())
    return None, lambda: act(w.app, moderation.hold, reply, reason="New member")


#: Public functions of the operations modules that are not acts of moderators, owners or
#: admins on others' content, members or settings, and why.
OWN = "a person's own writing, votes, settings or session"
READ = "a read, a helper of other operations, or a recount of counters from the rows"
NOT_MODERATION = {
    **dict.fromkeys(
        [
            "accounts.authenticate",
            "accounts.change_password",
            "accounts.confirm_signup",
            "accounts.register_user",
            "accounts.request_password_reset",
            "accounts.request_signup",
            "accounts.resend_signup",
            "accounts.reset_password",
            "accounts.set_locale",
            "accounts.update_profile",
            "api.create_token",
            "api.revoke_all_tokens",
            "api.revoke_token",
            "experts.set_expertise",
            "forums.start_thread",
            "forums.reply_to_thread",
            "forums.mark_helpful",
            "ideas.submit_idea",
            "ideas.cast_vote",
            "ideas.retract_vote",
            "knowledge.rate_article",
            "knowledge.suggest_edit",
            "knowledge.record_answered",
            "moderation.flag_content",
            "moderation.acknowledge_warning",
            "notifications.mark_all_read",
            "notifications.mark_read",
            "notifications.set_delivery",
            "notifications.set_follow",
            "notifications.unsubscribe",
            "notifications.update_settings",
            "spaces.accept_invite",
            "spaces.create_space",
            "spaces.join_space",
            "spaces.leave_space",
            "spaces.request_to_join",
        ],
        OWN,
    ),
    **dict.fromkeys(
        [
            "accounts.find_reset_token",
            "accounts.find_signup",
            "accounts.find_user_by_login",
            "accounts.normalise_key",
            "accounts.signup_link_state",
            "brainstorms.bump",
            "brainstorms.locked_settings",
            "brainstorms.open_board",
            "brainstorms.require_grouping",
            "brainstorms.require_phase",
            "brainstorms.require_time_left",
            "forums.mentioned_users",
            "forums.recount_replies",
            "forums.recount_space_threads",
            "forums.set_hidden",
            "ideas.count_idea",
            "ideas.recount_ideas",
            "ideas.recount_space_ideas",
            "ideas.recount_votes",
            "ideas.thread_opening_html",
            "jobs.record_failure",
            "knowledge.parse_refs",
            "knowledge.record_asked",
            "moderation.case_for",
            "moderation.is_acting",
            "moderation.note_edit",
            "moderation.record",
            "notifications.all_deliveries",
            "notifications.auto_follow",
            "notifications.deliveries_of",
            "notifications.follow_of",
            "notifications.notify",
            "notifications.notify_all",
            "notifications.settings_of",
            "notifications.upgrade_to",
            "settings.get_setting",
            "spaces.find_invite",
            "spaces.recheck_access",
            "spaces.slugify",
        ],
        READ,
    ),
    "backups.make_backup": "the daily backup and `flask backup`: no one's act on the site",
    # The facilitator runs their own session; participants write and vote on its board.
    **dict.fromkeys(
        [
            f"brainstorms.{name}"
            for name in [
                "add_cluster_row",
                "add_dot",
                "add_note",
                "promote_to_idea",
                "promoted_idea",
                "advance_phase",
                "arrive",
                "create_cluster",
                "create_session",
                "delete_note",
                "dissolve_cluster",
                "edit_note",
                "extend_phase",
                "forget_stale_connections",
                "keep_alive",
                "leave",
                "mark_done",
                "mark_unsent",
                "merge_clusters",
                "move_note",
                "pause_phase",
                "remember_undo",
                "remove_dot",
                "rename_cluster",
                "resume_phase",
                "take_part",
                "undo_change",
                "update_settings",
            ]
        ],
        "a brainstorm's facilitator and participants working on their own board",
    ),
    # Writers (experts, moderators) keep articles together; every change is a revision of the
    # article with its author (a deletion, which leaves none, is audited).
    **dict.fromkeys(
        [
            "knowledge.accept_suggestion",
            "knowledge.article_from_answer",
            "knowledge.create_article",
            "knowledge.decline_suggestion",
            "knowledge.draft_whats_new",
            "knowledge.edit_article",
            "knowledge.publish_article",
        ],
        "knowledge base writing, kept as the article's revisions",
    ),
}


#: Operations modules beside a feature's ``operations.py``, where it splits its writes by seam.
SPLIT_OPERATIONS = [
    "brainstorms.dots",
    "brainstorms.notes",
    "brainstorms.presence",
    "brainstorms.promotion",
    "brainstorms.undo",
    "ideas.curation",
]


def _operations() -> set[str]:
    found = set()
    root = Path(__file__).parents[2] / "community"
    names = [f"{path.parent.name}.operations" for path in sorted(root.glob("*/operations.py"))]
    for name in names + SPLIT_OPERATIONS:
        feature = name.partition(".")[0]
        module = importlib.import_module(f"community.{name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                found.add(f"{feature}.{name}")
    return found


def test_modules_that_refuse_like_operations_are_read_as_operations():
    """``guardian.ensure`` is how an operation refuses: a module that calls it holds
    operations, so a module split off an ``operations.py`` cannot slip past the audit."""
    root = Path(__file__).parents[2] / "community"
    scanned = {f"{path.parent.name}.operations" for path in root.glob("*/operations.py")}
    scanned |= set(SPLIT_OPERATIONS)
    refusing = {
        f"{path.parent.name}.{path.stem}"
        for path in root.glob("*/*.py")
        if "guardian.ensure(" in path.read_text(encoding="utf-8")
    }
    assert refusing <= scanned, "add these to SPLIT_OPERATIONS"


def test_every_operation_is_classified():
    operations = _operations()
    assert not set(AUDITED) & set(NOT_MODERATION)
    assert operations - set(AUDITED) - set(NOT_MODERATION) == set(), "classify these"
    assert set(AUDITED) | set(NOT_MODERATION) <= operations, "these are gone"


@pytest.fixture
def world(
    app,
    cast,
    space_mod,
    admin,
    create_user,
    create_space,
    add_member,
    create_thread,
    create_reply,
    create_idea,
    create_product,
    create_release,
    declare,
    verify,
    flag,
    flaggers,
):
    factories = dict(locals())
    for name in ("app", "cast", "space_mod", "admin"):
        factories.pop(name)
    return World(app, cast, space_mod, admin, factories)


def _entries(app) -> list[tuple]:
    with app.app_context():
        return list(
            db.session.execute(
                select(AuditEvent.action, AuditEvent.actor_id).order_by(AuditEvent.id)
            ).all()
        )


@pytest.mark.parametrize("operation", sorted(AUDITED))
def test_each_moderator_owner_and_admin_act_is_audited_once(world, operation):
    action, scenario = AUDITED[operation]
    actor, run = scenario(world)
    before = len(_entries(world.app))
    run()
    new = _entries(world.app)[before:]
    assert new == [(action, actor.id if actor is not None else None)]
