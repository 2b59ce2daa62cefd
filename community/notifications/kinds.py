"""The registry of notification kinds: what each is called in the settings, how it reads, and
how it is e-mailed unless the user chose otherwise.

Wiring one more kind (for example a moderation decision) is two steps::

    from community.notifications.kinds import register_kind
    from community.notifications.operations import notify

    register_kind("moderation_decision", label=_l("Moderation of my posts"),
                  sentence=_l("A moderator %(action)s your post in “%(title)s”"))

    @signals.content_moderated.connect
    def tell_author(post, *, action, by, **_):
        notify(post.author, "moderation_decision", actor=by, post=post, data={"action": action})

``sentence`` is formatted with ``actor`` (who acted), ``title`` (the thread, idea, session or
space it is about) and the notification's ``data``; ``describe`` replaces it where a kind
reads differently case by case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from community.notifications.models import Delivery


@dataclass(frozen=True)
class Kind:
    """One kind of notification."""

    name: str
    label: Any
    sentence: Any = None
    default: Delivery = Delivery.DIGEST
    describe: Callable[[dict], str] | None = None

    def text(self, params: dict) -> str:
        """The notification's one-line text, in the current language."""
        if self.describe is not None:
            return self.describe(params)
        return str(self.sentence) % params


KINDS: dict[str, Kind] = {}


def register_kind(
    name: str,
    *,
    label: Any,
    sentence: Any = None,
    default: Delivery = Delivery.DIGEST,
    describe: Callable[[dict], str] | None = None,
) -> Kind:
    """Add a kind of notification (its e-mail preference appears in every user's settings)."""
    if name in KINDS:
        raise RuntimeError(f"notification kind {name!r} is already registered")
    if sentence is None and describe is None:
        raise RuntimeError(f"notification kind {name!r} needs a sentence or describe")
    KINDS[name] = Kind(name, label, sentence, default, describe)
    return KINDS[name]


def _accepted(params: dict) -> str:
    if params.get("yours"):
        return _("%(actor)s accepted your answer in “%(title)s”", **params)
    return _("%(actor)s accepted an answer in “%(title)s”", **params)


def _join_decided(params: dict) -> str:
    if params.get("approved"):
        return _("You are now a member of %(title)s", **params)
    return _("Your request to join %(title)s was declined", **params)


def _released(params: dict) -> str:
    return _(
        "“%(title)s” shipped in %(product)s %(version)s",
        title=params["title"],
        product=params.get("product", ""),
        version=params.get("version", ""),
    )


def _decision(params: dict) -> str:
    action = {
        "hide": _("hid"),
        "approve": _("approved"),
        "delete": _("deleted"),
        "restore": _("restored"),
        "edit": _("edited"),
        "lock": _("locked"),
        "unlock": _("unlocked"),
        "move": _("moved"),
        "warn": _("warned you about"),
        "ban": _("banned you from"),
        "unban": _("lifted your ban from"),
        "suspend": _("suspended your account over"),
    }.get(params.get("action", ""), _("acted on"))
    if params.get("subject") == "note":
        return _(
            "A moderator %(action)s your note in “%(title)s”: %(reason)s",
            action=action,
            title=params["title"],
            reason=params.get("reason", ""),
        )
    if params.get("subject") == "profile":
        return _(
            "A moderator %(action)s the bio on your profile: %(reason)s",
            action=action,
            reason=params.get("reason", ""),
        )
    return _(
        "A moderator %(action)s “%(title)s”: %(reason)s",
        action=action,
        title=params["title"],
        reason=params.get("reason", ""),
    )


def _status(params: dict) -> str:
    return _("“%(title)s” is now %(status)s", title=params["title"], status=params.get("status"))


register_kind(
    "reply",
    label=_l("Replies in threads I follow"),
    sentence=_l("%(actor)s replied in “%(title)s”"),
)
register_kind(
    "mention",
    label=_l("Mentions of me"),
    sentence=_l("%(actor)s mentioned you in “%(title)s”"),
    default=Delivery.IMMEDIATELY,
)
register_kind("answer_accepted", label=_l("Accepted answers"), describe=_accepted)
register_kind("idea_status", label=_l("Status changes of ideas I follow"), describe=_status)
register_kind(
    "idea_released",
    label=_l("Ideas I support shipping in a release"),
    describe=_released,
    default=Delivery.IMMEDIATELY,
)
register_kind(
    "question_routed",
    label=_l("Questions routed to me"),
    sentence=_l("A question was routed to you: “%(title)s”"),
    default=Delivery.IMMEDIATELY,
)
register_kind(
    "join_requested",
    label=_l("Requests to join spaces I moderate"),
    sentence=_l("%(actor)s asked to join %(title)s"),
    default=Delivery.IMMEDIATELY,
)
register_kind(
    "join_decided",
    label=_l("Answers to my requests to join"),
    describe=_join_decided,
    default=Delivery.IMMEDIATELY,
)
register_kind(
    "session_started",
    label=_l("Brainstorming sessions starting"),
    sentence=_l("The brainstorming session “%(title)s” has started"),
    default=Delivery.IMMEDIATELY,
)
register_kind(
    "session_phase",
    label=_l("Sessions I watch moving on"),
    sentence=_l("The brainstorming session “%(title)s” moved on"),
    default=Delivery.NEVER,
)
register_kind(
    "new_thread",
    label=_l("New threads in spaces I watch"),
    sentence=_l("%(actor)s started “%(title)s”"),
)
register_kind(
    "new_idea",
    label=_l("New ideas in spaces I watch"),
    sentence=_l("%(actor)s proposed “%(title)s”"),
)
register_kind(
    "moderation_decision",
    label=_l("Moderators' decisions about my posts and account"),
    describe=_decision,
    default=Delivery.IMMEDIATELY,
)
