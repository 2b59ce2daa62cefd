"""A space's content language

``spaces.content_language``: the language text the app writes into a space is written in.
Existing spaces get the language their content is in when that is obvious from their threads'
and ideas' titles (mostly Chinese characters: ``zh_Hans``; mostly Latin letters: ``en``), and
otherwise the site's default language.

Revision ID: b7e2c4f1a9d3
Revises: 3ec38a441c18
Create Date: 2026-12-07 00:00:00

"""
from alembic import op
import sqlalchemy as sa
from flask import current_app, has_app_context


# revision identifiers, used by Alembic.
revision = 'b7e2c4f1a9d3'
down_revision = '3ec38a441c18'
branch_labels = None
depends_on = None

#: How many titles of a space are read to tell its language, and how many letters make it
#: obvious (fewer: the site's default).
SAMPLE = 200
ENOUGH_LETTERS = 20
#: The share of letters one script must have for its language to be obvious.
OBVIOUS = 0.8

TITLES = """
SELECT title FROM threads WHERE space_id = :space
UNION ALL SELECT title FROM ideas WHERE space_id = :space
"""


def _default_language() -> str:
    if has_app_context():
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    return "en"


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def guess_language(titles: list[str], default: str) -> str:
    """``zh_Hans`` or ``en`` if one script clearly dominates the titles' letters, else
    ``default``."""
    han = latin = 0
    for title in titles:
        for char in title or "":
            if _is_han(char):
                han += 1
            elif char.isascii() and char.isalpha():
                # A Chinese character carries a word; count Latin words' letters as a third.
                latin += 1
    words = han + latin / 3
    if words < ENOUGH_LETTERS / 3:
        return default
    if han / words >= OBVIOUS:
        return "zh_Hans"
    if (latin / 3) / words >= OBVIOUS:
        return "en"
    return default


def upgrade():
    default = _default_language()
    with op.batch_alter_table('spaces', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('content_language', sa.String(length=16), server_default='en', nullable=False)
        )
    backfill(op.get_bind(), default)


def backfill(bind, default: str) -> None:
    """Each space's language from its titles (the column starts as ``en`` everywhere)."""
    for (space_id,) in bind.execute(sa.text("SELECT id FROM spaces")).all():
        titles = [
            row[0]
            for row in bind.execute(sa.text(TITLES), {"space": space_id}).fetchmany(SAMPLE)
        ]
        language = guess_language(titles, default)
        if language != "en":
            bind.execute(
                sa.text("UPDATE spaces SET content_language = :language WHERE id = :space"),
                {"language": language, "space": space_id},
            )


def downgrade():
    with op.batch_alter_table('spaces', schema=None) as batch_op:
        batch_op.drop_column('content_language')
