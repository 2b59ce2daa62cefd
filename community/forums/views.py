"""Forum pages: a space's threads, a thread with its replies, writing, editing and moderating.

URLs (blueprint ``forums``). ``/s/<slug>/…`` is shared: each feature serves its own tab of a
space ("Where a URL is served" in docs/architecture.md).

    GET /s/<slug>                       space
        A space's front page: its threads
    GET POST /s/<slug>/new              new_thread
        Ask a question or start a discussion
    GET /t/<int:thread_id>              thread
        A thread
    GET /t/<int:thread_id>/new-replies  new_replies
        Replies after the last one a page shows, rendered, as JSON for the page to add
    POST /t/<int:thread_id>/reply       reply
        Post a reply
    GET /posts/<int:post_id>            post
        A link to one post
    GET POST /posts/<int:post_id>/edit  edit
        Edit a post (the author while the thread is open, or a moderator)
    GET /posts/<int:post_id>/history    history
        Earlier versions of a post (its author and moderators)
    POST /posts/<int:post_id>/delete    delete
        Delete a post, or the whole thread when it is the opening post
    POST /posts/<int:post_id>/restore   restore
        Bring back a deleted post or thread (moderators)
    POST /posts/<int:post_id>/helpful   helpful
        Mark a post helpful, or take the mark back
    POST /posts/<int:post_id>/accept    accept
        Accept a reply as the answer to its question
    POST /t/<int:thread_id>/unaccept    unaccept
        Clear the accepted answer
    POST /t/<int:thread_id>/moderate    moderate
        Pin, unpin, lock or unlock a thread (space moderators)
    GET POST /t/<int:thread_id>/move    move
        Move a thread to another space the moderator also moderates
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.errors import OperationError
from community.extensions import db
from community.forums import operations, queries
from community.forums.forms import (
    EditPostForm,
    MoveForm,
    NewRepliesArgs,
    ReplyForm,
    ThreadForm,
    ThreadListArgs,
    ThreadPageArgs,
)
from community.forums.models import Post, Thread
from community.forums.permissions import thread_may
from community.forums.queries import post_url
from community.permissions import guardian
from community.ratelimit import person_limit
from community.spaces import queries as space_queries
from community.spaces.forms import JoinRequestForm
from community.spaces.models import Space
from community.spaces.permissions import membership_of, one_with_membership
from community.spaces.views import load_space, public_space
from community.text.markdown import quote_markdown
from community.web import drafts
from community.web.actions import attempt, finish, saving
from community.web.args import parse
from community.web.forms import as_choices
from community.web.pagecache import anonymous_page

bp = Blueprint("forums", __name__)
bp.add_app_template_global(thread_may, "thread_may")


def load_thread(thread_id: int) -> Thread:
    """The thread if the current user may read it; 404 otherwise."""
    thread = one_with_membership(
        select(Thread).options(joinedload(Thread.space)).where(Thread.id == thread_id),
        current_user._get_current_object(),
        Thread.space_id,
    )
    if thread is None:
        abort(404)
    guardian.require(current_user, "thread.view", thread, hide=True)
    return thread


def load_post(post_id: int) -> Post:
    """The post if the current user may read it (deleted ones: moderators only; held ones:
    their author too); 404 otherwise."""
    post = db.get_or_404(Post, post_id)
    load_thread(post.thread_id)
    guardian.require(current_user, "post.view", post, hide=True)
    return post


def thread_url(thread: Thread, **kwargs) -> str:
    return url_for("forums.thread", thread_id=thread.id, **kwargs)


@bp.route("/s/<slug>")
@anonymous_page(keep_if=public_space)
def space(slug: str):
    """A space's front page: its threads, filtered and sorted."""
    space = load_space(slug)
    args = parse(ThreadListArgs())
    tag = args["tag"].strip()
    page = queries.threads_page(
        space,
        kind=args["kind"],
        status=args["status"],
        tag=tag,
        sort=args["sort"],
        page=args["page"],
        viewer=current_user,
    )
    return render_template(
        "forums/space.html",
        space=space,
        page=page,
        kind=args["kind"],
        status=args["status"],
        sort=args["sort"],
        tag=tag,
        membership=membership_of(current_user, space),
        staff=space_queries.staff_of(space),
        request_form=JoinRequestForm(),
    )


@bp.route("/s/<slug>/new", methods=["GET", "POST"])
@login_required
@person_limit("POST_LIMIT")
def new_thread(slug: str):
    """Ask a question or start a discussion."""
    space = load_space(slug)
    if not guardian.can(current_user, "thread.start", space):
        flash(_("Join this space to write in it."), "info")
        return redirect(url_for("spaces.about", slug=space.slug))
    form = ThreadForm()
    if request.method == "GET" and request.args.get("kind") in {"question", "discussion"}:
        form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        with saving(form) as saved:
            thread = operations.start_thread(
                space,
                author=current_user,
                kind=form.kind.data,
                title=form.title.data,
                body=form.body.data,
                tags=form.tags.data or "",
                ask_expert=form.ask_expert.data,
                suggestions_shown=form.suggestions_shown.data or "",
            )
        if saved:
            if thread.held:
                flash(
                    _(
                        "Your thread is waiting for a moderator's approval; only you and the "
                        "moderators can see it."
                    ),
                    "info",
                )
            else:
                flash(_("Posted."), "success")
            drafts.posted("thread-new", space.id)
            return redirect(thread_url(thread))
    return render_template("forums/new_thread.html", space=space, form=form)


@bp.route("/t/<int:thread_id>")
def thread(thread_id: int):
    """A thread: its opening post, the accepted answer first, then replies page by page."""
    thread = load_thread(thread_id)
    if thread.is_hidden and not guardian.can(current_user, "moderation.see_hidden", thread):
        message = _("Community members flagged this thread. Moderators will review it soon.")
        return render_template("forums/hidden.html", space=thread.space, message=message)
    args = parse(ThreadPageArgs())
    opening = queries.opening_post(thread)
    replies = queries.replies_page(thread, args["page"], viewer=current_user)
    accepted = queries.accepted_post(thread) if replies.page == 1 else None
    shown = replies.items + ([opening] if opening else [])
    form = ReplyForm()
    if args["quote"]:
        quoted = db.session.get(Post, args["quote"])
        if quoted is not None and quoted.thread_id == thread.id and not quoted.is_deleted:
            author = quoted.author.username if quoted.author else "?"
            form.body.data = quote_markdown(quoted.body_source, author)
    return render_template(
        "forums/thread.html",
        thread=thread,
        space=thread.space,
        opening=opening,
        replies=replies,
        accepted=accepted,
        helpful=queries.marked_helpful(current_user, shown),
        form=form,
        membership=membership_of(current_user, thread.space),
    )


@bp.route("/t/<int:thread_id>/new-replies")
def new_replies(thread_id: int):
    """Replies after the last one a page shows, rendered as the page renders them (their
    Markdown sanitised when saved), with the thread's count of replies as of now, as JSON for
    thread.js to add in place (a thread's page, an idea's co-design discussion)."""
    thread = load_thread(thread_id)
    if thread.is_hidden and not guardian.can(current_user, "moderation.see_hidden", thread):
        abort(404)
    after = parse(NewRepliesArgs())["after"]
    posts = queries.replies_after(thread, after, viewer=current_user)
    more = len(posts) > queries.NEW_REPLIES_MAX
    posts = posts[: queries.NEW_REPLIES_MAX]
    html = render_template(
        "forums/_new_replies.html",
        posts=posts,
        thread=thread,
        helpful=queries.marked_helpful(current_user, posts),
    )
    count = render_template("forums/_reply_count.html", thread=thread)
    return jsonify(html=html, count=count, last=posts[-1].id if posts else after, more=more)


@bp.route("/t/<int:thread_id>/reply", methods=["POST"])
@login_required
@person_limit("POST_LIMIT")
def reply(thread_id: int):
    """Post a reply."""
    thread = load_thread(thread_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        flash(form.body.errors[0] if form.body.errors else _("Write something first."), "danger")
        return redirect(thread_url(thread, _anchor="reply"))
    try:
        post = operations.reply_to_thread(thread, author=current_user, body=form.body.data)
    except OperationError as error:
        return finish(thread_url(thread, _anchor="reply"), error)
    db.session.commit()
    if post.held:
        flash(
            _(
                "Your reply is waiting for a moderator's approval; only you and the "
                "moderators can see it."
            ),
            "info",
        )
    else:
        flash(_("Reply posted."), "success")
    drafts.posted("reply", thread.id)
    return redirect(post_url(post))


@bp.route("/posts/<int:post_id>")
def post(post_id: int):
    """A link to one post: goes to the page of its thread that shows it."""
    return redirect(post_url(load_post(post_id)))


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(post_id: int):
    """Edit a post (the author while the thread is open, or a moderator)."""
    post = load_post(post_id)
    guardian.require(current_user, "post.edit", post)
    thread = post.thread
    form = EditPostForm()
    if request.method == "GET":
        form.body.data = post.body_source
        form.title.data = thread.title
        form.tags.data = ", ".join(thread.tag_names)
    if form.validate_on_submit():
        with saving(form) as saved:
            operations.edit_post(
                post,
                by=current_user,
                body=form.body.data,
                title=form.title.data if post.is_opening else None,
                tags=(form.tags.data or "") if post.is_opening else None,
                reason=form.reason.data or "",
            )
        if saved:
            flash(_("Saved."), "success")
            drafts.posted("post-edit", post.id)
            return redirect(post_url(post))
    return render_template("forums/edit_post.html", post=post, thread=thread, form=form)


@bp.route("/posts/<int:post_id>/history")
@login_required
def history(post_id: int):
    """Earlier versions of a post (its author and moderators)."""
    post = load_post(post_id)
    guardian.require(current_user, "post.history", post)
    return render_template(
        "forums/history.html", post=post, thread=post.thread, revisions=queries.revisions(post)
    )


@bp.route("/posts/<int:post_id>/delete", methods=["POST"])
@login_required
def delete(post_id: int):
    """Delete a post, or the whole thread when it is the opening post."""
    post = load_post(post_id)
    thread = post.thread
    if post.is_opening:
        target, message = url_for("forums.space", slug=thread.space.slug), _("Thread deleted.")
    else:
        target, message = thread_url(thread), _("Post deleted.")
    return attempt(
        target,
        lambda: operations.delete_post(post, by=current_user),
        message,
        refused_to=post_url(post),
    )


@bp.route("/posts/<int:post_id>/restore", methods=["POST"])
@login_required
def restore(post_id: int):
    """Bring back a deleted post or thread (moderators)."""
    post = load_post(post_id)
    return attempt(
        post_url(post),
        lambda: operations.restore_post(post, by=current_user),
        _("Restored."),
        refused_to=thread_url(post.thread),
    )


@bp.route("/posts/<int:post_id>/helpful", methods=["POST"])
@login_required
def helpful(post_id: int):
    """Mark a post helpful, or take the mark back."""
    post = load_post(post_id)
    wanted = request.form.get("helpful", "1") == "1"
    return attempt(post_url(post), lambda: operations.mark_helpful(post, current_user, wanted))


@bp.route("/posts/<int:post_id>/accept", methods=["POST"])
@login_required
def accept(post_id: int):
    """Accept a reply as the answer to its question."""
    post = load_post(post_id)
    return attempt(
        thread_url(post.thread),
        lambda: operations.accept_answer(post, by=current_user),
        _("Answer accepted. Thanks for closing the loop!"),
        refused_to=post_url(post),
    )


@bp.route("/t/<int:thread_id>/unaccept", methods=["POST"])
@login_required
def unaccept(thread_id: int):
    """Clear the accepted answer."""
    thread = load_thread(thread_id)
    return attempt(
        thread_url(thread),
        lambda: operations.unaccept_answer(thread, by=current_user),
        _("The question is open again."),
    )


MODERATION = {
    "pin": (operations.set_pinned, True),
    "unpin": (operations.set_pinned, False),
    "lock": (operations.set_locked, True),
    "unlock": (operations.set_locked, False),
}


@bp.route("/t/<int:thread_id>/moderate", methods=["POST"])
@login_required
def moderate(thread_id: int):
    """Pin, unpin, lock or unlock a thread (space moderators)."""
    thread = load_thread(thread_id)
    action = request.form.get("action", "")
    if action not in MODERATION:
        abort(400)
    operation, value = MODERATION[action]
    messages = {
        "pin": _("Thread pinned."),
        "unpin": _("Thread unpinned."),
        "lock": _("Thread locked."),
        "unlock": _("Thread unlocked."),
    }
    return attempt(
        thread_url(thread), lambda: operation(thread, value, by=current_user), messages[action]
    )


@bp.route("/t/<int:thread_id>/move", methods=["GET", "POST"])
@login_required
def move(thread_id: int):
    """Move a thread to another space the moderator also moderates."""
    thread = load_thread(thread_id)
    guardian.require(current_user, "thread.moderate", thread)
    targets = queries.moderated_spaces(current_user, exclude=thread.space)
    form = MoveForm()
    form.space.choices = as_choices((s.slug, s.name) for s in targets)
    if form.validate_on_submit():
        to_space = db.session.scalar(db.select(Space).where(Space.slug == form.space.data))
        with saving(form) as saved:
            operations.move_thread(thread, to_space, by=current_user, reason=form.reason.data)
        if saved:
            flash(_("Moved to %(space)s.", space=to_space.name), "success")
            return redirect(thread_url(thread))
    return render_template("forums/move.html", thread=thread, form=form, targets=targets)
