"""Signals between features, and after-commit delivery for side effects outside the database.

Features publish what happened by sending a signal from inside an operation, while the
change is still in the session. Receivers that change the database run right away, inside
the same transaction, so they commit or roll back with it. Receivers that touch anything
outside the database (the search index, live pushes, e-mail) wrap themselves in
:func:`after_commit`: their work runs only once the transaction has committed, and is
dropped if it rolls back, so a failed write never leaves a phantom notification or hit.

Every signal is sent with the acting object as ``sender`` and keyword arguments named below.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from blinker import Namespace

from community.extensions import db

_signals = Namespace()

#: A new account was registered. sender: the User.
user_registered = _signals.signal("user-registered")
#: A user's password changed (by themself or a reset); every session of theirs ends with it.
#: sender: the User; ``reason``: "change" or "reset". A receiver that ends something else
#: with the password (API tokens) returns a sentence saying so (a lazy string), which the
#: page and the security e-mail show the owner.
password_changed = _signals.signal("password-changed")
#: Signed-in sessions ended: signed out, signed out from the sessions list, or all of them on a
#: password change or a suspension. Sent before their rows are deleted. sender: the User;
#: ``session_ids``; ``reason``: "signed_out", "revoked", "change", "reset" or "suspended".
sessions_ended = _signals.signal("sessions-ended")
#: An admin changed a user's site role. sender: the User; ``old_role``, ``new_role``, ``by``.
role_changed = _signals.signal("role-changed")
#: A user edited their profile. sender: the User.
profile_updated = _signals.signal("profile-updated")
#: An admin changed a site setting. sender: the setting's key; ``before``, ``after`` (its
#: values), ``by``.
site_setting_changed = _signals.signal("site-setting-changed")
#: An admin retried or deleted a failed background job. sender: the FailedJob (its row is
#: deleted with it); ``change``: "retry" or "delete"; ``by``.
failed_job_handled = _signals.signal("failed-job-handled")
#: An admin made or deleted a backup. sender: the archive's name; ``change``: "created" or
#: "deleted", ``size`` (bytes), ``by``.
backup_changed = _signals.signal("backup-changed")

# Spaces. sender: the Space.
#: A space was created. ``by``: its creator (now its owner).
space_created = _signals.signal("space-created")
#: A space's name, address, description, tags or visibility changed. ``by``; ``before``,
#: ``after``: those fields as they were and are.
space_updated = _signals.signal("space-updated")
#: A space's rules for its members changed (its vote budget). ``before``, ``after`` (the
#: settings changed), ``by``.
space_settings_changed = _signals.signal("space-settings-changed")
#: Someone became an active member. ``user``, ``membership``.
member_joined = _signals.signal("member-joined")
#: Someone asked to join. ``user``, ``membership`` (pending).
join_requested = _signals.signal("join-requested")
#: A join request was approved or declined. ``user``, ``approved``, ``by``.
join_decided = _signals.signal("join-decided")
#: Someone left a space (or withdrew a request). ``user``.
member_left = _signals.signal("member-left")
#: A member's space role changed. ``user``, ``old``, ``new``, ``by``.
member_role_changed = _signals.signal("member-role-changed")
#: Someone was banned from a space. ``user``, ``by``, ``reason``, ``until`` (None: no end).
member_banned = _signals.signal("member-banned")
#: A ban was lifted. ``user``, ``by``.
member_unbanned = _signals.signal("member-unbanned")
#: Who may read the space changed in a way open live connections must check again: its
#: visibility changed, or ``user`` left, was banned or lost the site role that let them read
#: it (``user`` is None when it concerns everyone). ``Space.access_epoch`` has moved on.
space_access_changed = _signals.signal("space-access-changed")
#: An invite link was made, or revoked. ``invite``, ``change`` ("created" or "revoked"), ``by``.
invite_changed = _signals.signal("invite-changed")

# Forums.
#: A thread was started. sender: the Thread; ``post``: its opening post; ``ask_expert``: the
#: asker wants the question routed to experts now; ``suggestions_shown``: the knowledge base
#: suggestions shown while the title was typed (``"article:3,thread:9"``, unchecked; "" if none).
thread_created = _signals.signal("thread-created")
#: A reply was posted. sender: the Post; ``thread``.
post_created = _signals.signal("post-created")
#: A post (or a thread's title and opening post) was edited. sender: the Post; ``by``.
post_edited = _signals.signal("post-edited")
#: A post or thread was deleted (soft) or restored. sender: the Post or Thread; ``by``.
post_deleted = _signals.signal("post-deleted")
#: A thread was pinned, locked, moved or restored by a moderator. sender: the Thread;
#: ``action`` ("pin", "unpin", "lock", "unlock", "move"), ``by``, and ``from_space`` on a move.
thread_moderated = _signals.signal("thread-moderated")
#: An answer was accepted on a question. sender: the Post; ``thread``, ``by``.
answer_accepted = _signals.signal("answer-accepted")
#: The accepted answer of a question was cleared. sender: the Thread; ``by``.
answer_cleared = _signals.signal("answer-cleared")
#: Someone marked a post helpful, or took the mark back. sender: the Post; ``mark_id`` (the
#: mark's id, gone once unmarked), ``helpful`` (True: marked), ``by``.
helpful_marked = _signals.signal("helpful-marked")
# Ideas. sender: the Idea.
#: An idea was proposed (its co-design thread was started with it).
idea_submitted = _signals.signal("idea-submitted")
#: An idea's title, description or tags changed. ``by``; ``before``: what changed, as it was
#: (``{"title", "body"}`` for an edit, ``{"tags"}`` for a bulk retag); ``reason``: a
#: moderator's, for someone else's idea.
idea_updated = _signals.signal("idea-updated")
#: Someone voted for an idea. ``user``; ``voted_at``, ``segment`` and ``organisation``: the
#: vote's time and the customer segment and organisation recorded with it.
vote_cast = _signals.signal("vote-cast")
#: Someone took their vote back. ``user``; ``voted_at``, ``segment`` and ``organisation``:
#: those of the vote taken back (its row is gone).
vote_retracted = _signals.signal("vote-retracted")
#: An idea moved through the pipeline. ``old``, ``new`` (status values), ``change`` (the
#: timeline entry with the public response), ``by``.
idea_status_changed = _signals.signal("idea-status-changed")
#: A duplicate idea was merged into another (it is now "merged"; its co-design thread stays).
#: ``into``: the idea it was merged into; ``change``: its timeline entry with the public
#: response; ``moved``: how many of its voters were given a vote on ``into``; ``by``.
idea_merged = _signals.signal("idea-merged")
#: A merge was undone: the idea has its status from before the merge again. ``into``: the idea
#: it had been merged into (None if that was deleted); ``change``: the timeline entry;
#: ``removed``: how many votes the merge had moved to ``into`` and were taken back; ``by``.
idea_unmerged = _signals.signal("idea-unmerged")
#: An idea was deleted with its votes and timeline (its co-design thread is soft-deleted, with
#: ``post_deleted``). Sent before its votes and timeline are deleted; the rows are gone once
#: the transaction commits: read what you need when the signal arrives. ``by``.
idea_deleted = _signals.signal("idea-deleted")
#: A shipped idea was linked to the release that delivered it (its status is unchanged).
#: ``release``: the Release; ``by``. Everyone who voted for or followed it is to be told.
idea_released = _signals.signal("idea-released")
#: An idea's product was set, or it was linked to a release or unlinked (a timeline step).
#: ``link`` ("product" or "release"), ``before``, ``after`` (ids or None), ``by``.
idea_linked = _signals.signal("idea-linked")

# Products. sender: the Product or Release.
#: A product or release was created or edited (site admins). ``change`` ("created" or
#: "edited"), ``before`` (its fields before an edit, else None), ``after`` (its fields), ``by``.
product_saved = _signals.signal("product-saved")

# Brainstorming sessions. sender: the BrainstormSession.
#: A session was scheduled. ``by``.
brainstorm_created = _signals.signal("brainstorm-created")
#: The facilitator moved the session to another phase, or changed, paused or resumed its
#: clock. ``old`` (the phase before, a value), ``by``.
brainstorm_phase_changed = _signals.signal("brainstorm-phase-changed")
#: A note was added, edited or deleted (soft). ``note``, ``change`` ("added", "edited",
#: "deleted"), ``by``.
brainstorm_note_changed = _signals.signal("brainstorm-note-changed")
#: Clusters were made, renamed or merged, or a note moved in or out of one. ``by``, and what
#: changed: ``cluster`` (made or renamed), ``removed`` (the id of one merged away),
#: ``placement`` (``{note id: cluster id or None}`` for notes that moved).
brainstorm_grouping_changed = _signals.signal("brainstorm-grouping-changed")
#: A participant put a dot on a note or cluster, or took one back. ``by``, ``note``,
#: ``cluster`` (one of them None).
brainstorm_dots_changed = _signals.signal("brainstorm-dots-changed")
#: Someone arrived, left, or marked themselves done (or not). ``user_id``.
brainstorm_presence_changed = _signals.signal("brainstorm-presence-changed")
#: The facilitator changed the session's settings, or someone took over as its facilitator.
#: ``by``, ``fields`` (the names of the settings that changed; "facilitator" for a take-over,
#: with ``previous``: the former facilitator's id).
brainstorm_settings_changed = _signals.signal("brainstorm-settings-changed")
#: A note or cluster of the results became an idea. ``idea``, ``by``.
brainstorm_promoted = _signals.signal("brainstorm-promoted")

# Expertise. sender: the User whose expertise it is.
#: Someone declared or removed expertise tags (removing one drops its verification).
#: ``added``, ``removed`` (lists of tags), ``by``.
expertise_changed = _signals.signal("expertise-changed")
#: A declared tag was verified. ``expertise``, ``by``, ``space`` (None: by a site admin).
expertise_verified = _signals.signal("expertise-verified")
#: A verification was taken back (the tag stays declared). ``expertise``, ``by``.
expertise_revoked = _signals.signal("expertise-revoked")

# Moderation (community/moderation).
#: Someone flagged an item. sender: the ModerationCase; ``flag``, ``by``.
content_flagged = _signals.signal("content-flagged")
#: A thread, post or idea was hidden pending review (or held for approval), or shown again.
#: sender: the Thread, Post or Idea; ``hidden`` (True: now hidden), ``by`` (None when flags
#: from members hid it).
content_hidden = _signals.signal("content-hidden")
#: A user was suspended site-wide, or the suspension lifted. sender: the User; ``until``
#: (None: lifted), ``reason``, ``by``.
user_suspended = _signals.signal("user-suspended")
#: A moderation decision about someone's content or account (hide, approve, delete, edit,
#: lock, move, warn, ban, suspend …), for telling that person. sender: the AuditEvent that
#: records it; ``action`` (its name, e.g. "hide", "warn", "suspend"), ``target`` (the Thread,
#: Post, Idea or User acted on, or None), ``author`` (the affected User), ``reason`` (the
#: moderator's words), ``by`` (the moderator; None for automatic hides), ``space`` (or None).
moderation_decided = _signals.signal("moderation-decided")

# Routing. sender: the Thread (a question).
#: A question was given to experts (routed, escalated, or passed on by one of them).
#: ``experts``: the Users who received it now; ``reason``: the routing reason (a value);
#: ``by``: the expert who passed it on, or None when the routing itself chose them.
question_routed = _signals.signal("question-routed")
# Knowledge base. sender: the Article.
#: An article was written, edited (a new revision, or an accepted suggestion), published or
#: taken back to draft. ``by``; ``change``: "created", "edited", "suggestion-accepted",
#: "published" or "unpublished".
article_saved = _signals.signal("article-saved")
#: An article is being deleted (the row is gone once the transaction commits: read what you
#: need when the signal arrives). ``by``.
article_deleted = _signals.signal("article-deleted")
#: A member suggested an edit to an article. ``revision`` (pending), ``by``.
article_edit_suggested = _signals.signal("article-edit-suggested")
#: "This answered my question": a question was answered by a suggestion while it was typed
#: and not posted. sender: the Deflection; ``by``.
question_deflected = _signals.signal("question-deflected")

#: Someone was @mentioned. sender: the Post; ``users``: the mentioned Users (not the author).
mention = _signals.signal("mention")


def connect_to_every_signal(receiver: Callable[..., Any]) -> None:
    """Connect ``receiver`` to every signal above (what drops the pages kept for anonymous
    visitors: any change may show on them)."""
    for signal in _signals.values():
        signal.connect(receiver)


def on_commit(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run ``func(*args, **kwargs)`` after the current transaction commits; drop it on rollback."""
    db.session().on_commit(func, *args, **kwargs)


def after_commit(receiver: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a signal receiver so that its body runs after the current commit."""

    @functools.wraps(receiver)
    def deferred(sender: Any, **kwargs: Any) -> None:
        on_commit(receiver, sender, **kwargs)

    return deferred
