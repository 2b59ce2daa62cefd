"""Forum forms: they validate input and never save."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from community.forums.models import BODY_MAX, KIND_LABELS, TITLE_MAX, ThreadKind
from community.forums.queries import SORTS, STATUSES
from community.web.args import ID_MAX, Args, Choice, Id, Page, Text, Whole
from community.web.forms import OPTIONAL_REASON, REASON, as_choices

# Forms allow a little slack over the limits so that the operation's clear message is shown.
_BODY = [DataRequired(message=_l("Write something first.")), Length(max=BODY_MAX + 1000)]


class ThreadForm(FlaskForm):
    """Start a discussion or ask a question."""

    kind = SelectField(
        _l("Kind"),
        choices=as_choices(
            (k.value, KIND_LABELS[k]) for k in (ThreadKind.QUESTION, ThreadKind.DISCUSSION)
        ),
    )
    title = StringField(
        _l("Title"),
        validators=[DataRequired(message=_l("Give it a title.")), Length(max=TITLE_MAX + 100)],
    )
    body = TextAreaField(_l("Details"), validators=_BODY)
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=400)])
    ask_expert = BooleanField(_l("Ask an expert"))
    # Filled in by the page's script: the knowledge base suggestions shown for the title.
    suggestions_shown = HiddenField(validators=[Optional(), Length(max=400)])


class ReplyForm(FlaskForm):
    """Reply to a thread."""

    body = TextAreaField(_l("Your reply"), validators=_BODY)


class EditPostForm(FlaskForm):
    """Edit a post; title and tags only for a thread's opening post."""

    title = StringField(_l("Title"), validators=[Optional(), Length(max=TITLE_MAX + 100)])
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=400)])
    body = TextAreaField(_l("Text"), validators=_BODY)
    reason = TextAreaField(_l("Why are you editing this post?"), validators=OPTIONAL_REASON)


class MoveForm(FlaskForm):
    """Move a thread to another space, saying why."""

    space = SelectField(_l("Move to"))
    reason = TextAreaField(_l("Why are you moving it?"), validators=REASON)


class ThreadListArgs(Args):
    """A space's thread list: ``?kind=question&status=unsolved&tag=…&sort=newest&page=2``."""

    kind = Choice([k.value for k in ThreadKind])
    status = Choice(sorted(STATUSES))
    sort = Choice(sorted(SORTS), load_default="activity")
    tag = Text(30)
    page = Page()


class ThreadPageArgs(Args):
    """A thread's page of replies, and the post a new reply quotes."""

    page = Page()
    quote = Id(load_default=None)


class NewRepliesArgs(Args):
    """The replies a page has not shown yet: those after the last one it shows (0: a page that
    shows none, such as an idea's discussion no one has joined yet)."""

    after = Whole(0, ID_MAX, required=True)
