"""Moderator, owner and admin acts done elsewhere, recorded in the audit log from their
features' signals: threads pinned, locked and moved; others' posts and ideas edited, deleted
and restored, their questions' answers accepted, their ideas retagged; ideas merged and
unmerged, their statuses (by moderators), products and releases; spaces' details, settings,
join requests, roles, bans and invites; site roles and settings; backups made and deleted;
verified expertise; others' knowledge base articles deleted. Acts run by the moderation
queue record themselves, with their reason, and are skipped here.

Each edit also keeps an open case's words current (``note_edit``).
"""

from __future__ import annotations

from sqlalchemy import select

from community import signals
from community.accounts.models import User
from community.extensions import db
from community.forums.models import Post, PostRevision, Thread
from community.moderation.items import snapshot
from community.moderation.operations import is_acting, note_edit, record
from community.permissions import guardian
from community.products.models import Release


def _by_other(target, by) -> bool:
    """An act on someone else's content (by its author, it is no moderation)."""
    return by is not None and getattr(target, "author_id", None) != by.id


@signals.thread_moderated.connect
def audit_thread_moderation(thread: Thread, *, action: str, by, **kwargs) -> None:
    if is_acting():
        return
    before = after = None
    if action == "move":
        before = {"space": kwargs["from_space"].slug}
        after = {"space": thread.space.slug}
    elif action in ("lock", "unlock"):
        before, after = {"locked": action == "unlock"}, {"locked": action == "lock"}
    elif action in ("pin", "unpin"):
        before, after = {"pinned": action == "unpin"}, {"pinned": action == "pin"}
    record(
        action, by=by, target=thread, reason=kwargs.get("reason", ""), before=before, after=after
    )


@signals.post_deleted.connect
def audit_deletion(target, *, by, **_kwargs) -> None:
    """Deleting or restoring someone else's post or thread (an idea's co-design thread
    deleted with its idea: the idea's deletion is recorded instead, see below)."""
    if is_acting() or not _by_other(target, by):
        return
    action = "delete" if target.is_deleted else "restore"
    if isinstance(target, Thread) and target.idea_id is not None and target.is_deleted:
        db.session().before_commit(_audit_codesign_deletion, target, by)
        return
    record(action, by=by, target=target, after=snapshot(target))


def _deleted_ideas() -> set[int]:
    return db.session().transaction_scoped("moderation.deleted_ideas", set)


def _audit_codesign_deletion(thread: Thread, by) -> None:
    if thread.idea_id not in _deleted_ideas():
        record("delete", by=by, target=thread, after=snapshot(thread))


@signals.idea_deleted.connect
def audit_idea_deletion(idea, *, by, **_kwargs) -> None:
    """Deleting someone else's idea (with its votes, timeline and discussion)."""
    _deleted_ideas().add(idea.id)
    if is_acting() or not _by_other(idea, by):
        return
    record("delete", by=by, target=idea, before=snapshot(idea))


@signals.answer_accepted.connect
def audit_accepted_answer(post: Post, *, thread: Thread, by, **_kwargs) -> None:
    """Accepting an answer on someone else's question."""
    if _by_other(thread, by):
        record("accept_answer", by=by, target=thread, after={"accepted_post": post.id})


@signals.answer_cleared.connect
def audit_cleared_answer(thread: Thread, *, by, **_kwargs) -> None:
    if _by_other(thread, by):
        record("unaccept_answer", by=by, target=thread, after={"accepted_post": None})


@signals.post_edited.connect
def audit_edit(post: Post, *, by, reason: str = "", **_kwargs) -> None:
    """A moderator's edit of someone else's post: why, and the text before and after."""
    if is_acting() or not _by_other(post, by):
        return
    previous = db.session.scalar(
        select(PostRevision)
        .where(PostRevision.post_id == post.id)
        .order_by(PostRevision.created_at.desc(), PostRevision.id.desc())
        .limit(1)
    )
    before = {"body": previous.body_source, "title": previous.title} if previous else None
    target = post.thread if post.is_opening else post
    after = {"body": post.body_source, "title": post.thread.title if post.is_opening else None}
    record("edit", by=by, target=target, reason=reason, before=before, after=after)


@signals.idea_updated.connect
def audit_idea_edit(idea, *, by, reason: str = "", before: dict | None = None, **_kwargs) -> None:
    """An edit of someone else's idea (why, and its title and text before and after), or a
    bulk retag of it (its tags before and after)."""
    if is_acting() or before is None or not _by_other(idea, by):
        return
    now = {"title": idea.title, "body": idea.body_source, "tags": idea.tag_names}
    after = {key: now[key] for key in before}
    action = "retag" if set(before) == {"tags"} else "edit"
    record(action, by=by, target=idea, reason=reason, before=before, after=after)


@signals.post_edited.connect
def note_edited_post(post: Post, **_kwargs) -> None:
    """A post edited while its case is open (held or flagged): the case shows the new words
    and that they changed (an opening post's are its thread's)."""
    note_edit(post.thread if post.is_opening else post)


@signals.idea_updated.connect
def note_edited_idea(idea, **_kwargs) -> None:
    note_edit(idea)


@signals.brainstorm_note_changed.connect
def note_edited_note(session, *, note, change: str, **_kwargs) -> None:
    if change == "edited":
        note_edit(note)


@signals.profile_updated.connect
def note_edited_profile(user: User, **_kwargs) -> None:
    note_edit(user)


@signals.member_banned.connect
def audit_ban(space, *, user: User, by, reason: str, until, **_kwargs) -> None:
    if is_acting():
        return
    after = {"until": until.isoformat() if until else None}
    record("ban", by=by, target=user, target_user=user, space=space, reason=reason, after=after)


@signals.member_unbanned.connect
def audit_unban(space, *, user: User, by, **_kwargs) -> None:
    record("unban", by=by, target=user, target_user=user, space=space)


@signals.idea_merged.connect
def audit_merge(idea, *, into, change, by, **_kwargs) -> None:
    record(
        "idea_merge",
        by=by,
        target=idea,
        reason=change.response_source,
        before={"status": change.from_status},
        after={"status": change.to_status, "into": into.id},
    )


@signals.idea_unmerged.connect
def audit_unmerge(idea, *, into, change, by, **_kwargs) -> None:
    record(
        "idea_unmerge",
        by=by,
        target=idea,
        reason=change.response_source,
        before={"status": change.from_status, "into": into.id if into is not None else None},
        after={"status": change.to_status},
    )


@signals.idea_linked.connect
def audit_idea_link(idea, *, link: str, before, after, by, **_kwargs) -> None:
    """An idea's product set, or its release linked or unlinked."""
    record(f"idea_{link}", by=by, target=idea, before={link: before}, after={link: after})


@signals.idea_status_changed.connect
def audit_status(idea, *, old, new, change, by, **_kwargs) -> None:
    """Status changes by the space's moderators (experts answering ideas is not moderation)."""
    if by is None or not guardian.can(by, "space.moderate", idea.space):
        return
    record(
        "idea_status",
        by=by,
        target=idea,
        reason=change.response_source,
        before={"status": old},
        after={"status": new},
    )


@signals.space_updated.connect
def audit_space_edit(space, *, by, before: dict | None = None, after: dict | None = None, **_kw):
    """A space's details changed by its owners: what changed, before and after."""
    if before is None or after is None:
        return
    changed = [key for key in after if before.get(key) != after[key]]
    if changed:
        record(
            "space_edit",
            by=by,
            space=space,
            before={key: before.get(key) for key in changed},
            after={key: after[key] for key in changed},
        )


@signals.space_settings_changed.connect
def audit_space_settings(space, *, before: dict, after: dict, by, **_kwargs) -> None:
    record("settings", by=by, space=space, before=before, after=after)


@signals.join_decided.connect
def audit_join_decision(space, *, user: User, approved: bool, by, **_kwargs) -> None:
    action = "join_approve" if approved else "join_decline"
    record(action, by=by, target=user, target_user=user, space=space)


@signals.member_role_changed.connect
def audit_member_role(space, *, user: User, old, new, by, **_kwargs) -> None:
    record(
        "member_role",
        by=by,
        target=user,
        target_user=user,
        space=space,
        before={"role": str(old)},
        after={"role": str(new)},
    )


@signals.invite_changed.connect
def audit_invite(space, *, invite, change: str, by, **_kwargs) -> None:
    details = {
        "invite": invite.id,
        "expires_at": invite.expires_at.isoformat(),
        "requires_approval": invite.requires_approval,
    }
    action = "invite_create" if change == "created" else "invite_revoke"
    record(action, by=by, space=space, after=details)


@signals.role_changed.connect
def audit_site_role(user: User, *, old_role, new_role, by, **_kwargs) -> None:
    record(
        "site_role",
        by=by,
        target=user,
        target_user=user,
        before={"role": str(old_role)},
        after={"role": str(new_role)},
    )


@signals.site_setting_changed.connect
def audit_site_setting(key: str, *, before: str, after: str, by, **_kwargs) -> None:
    record("site_setting", by=by, before={key: before}, after={key: after})


@signals.failed_job_handled.connect
def audit_failed_job(failed, *, change: str, by, **_kwargs) -> None:
    """An admin retried or deleted a failed background job."""
    details = {"job": failed.id, "name": failed.name, "failed_at": failed.failed_at.isoformat()}
    record(f"job_{change}", by=by, before=details)


@signals.backup_changed.connect
def audit_backup(name: str, *, change: str, size: int, by, **_kwargs) -> None:
    """Backups made or deleted from the admin page (the daily ones are no one's act)."""
    details = {"backup": name, "size": size}
    if change == "created":
        record("backup_create", by=by, after=details)
    else:
        record("backup_delete", by=by, before=details)


@signals.product_saved.connect
def audit_product(item, *, change: str, before, after, by, **_kwargs) -> None:
    """Products and releases created and edited (site admins)."""
    kind = "release" if isinstance(item, Release) else "product"
    verb = "create" if change == "created" else "edit"
    record(f"{kind}_{verb}", by=by, before=before, after=after)


@signals.article_deleted.connect
def audit_article_deletion(article, *, by, **_kwargs) -> None:
    """Deleting someone else's knowledge base article (edits stay in its own revisions; a
    deletion leaves none)."""
    if by is not None and article.created_by_id != by.id:
        before = {"article": article.id, "title": article.title, "status": article.status}
        record("article_delete", by=by, space=article.space, before=before)


@signals.expertise_verified.connect
def audit_verification(user: User, *, expertise, by, space=None, **_kwargs) -> None:
    record(
        "expertise_verify",
        by=by,
        target=user,
        target_user=user,
        space=space,
        after={"tag": expertise.tag},
    )


@signals.expertise_revoked.connect
def audit_revocation(user: User, *, expertise, by, **_kwargs) -> None:
    record("expertise_revoke", by=by, target=user, target_user=user, before={"tag": expertise.tag})


@signals.brainstorm_settings_changed.connect
def audit_take_over(session, *, by, fields, previous=None, **_kwargs) -> None:
    """A moderator took over a brainstorming session from its facilitator, who was gone."""
    if "facilitator" not in fields:
        return
    record(
        "take_over",
        by=by,
        space=session.space,
        target_user=db.session.get(User, previous) if previous else None,
        before={"session": session.id, "facilitator": previous},
        after={"session": session.id, "facilitator": by.id},
    )
