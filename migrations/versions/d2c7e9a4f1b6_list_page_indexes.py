"""indexes for the list pages: sorts read in order, counts from the index alone

A space's thread list reads its page in the order of an index (pinned first, then activity,
creation or helpfulness) and stops, instead of sorting every thread of the space; its count
reads ``ix_threads_space_list`` alone. The idea list's count reads ``ix_ideas_space_shown``
alone (it replaces ``ix_ideas_space_status``, its prefix), "recently updated" has an index like
the other sorts, and the sorts' indexes end with the id, the lists' tie-break. A space's staff
(its side panel) and the ideas merged into an idea (its page) are found through an index
instead of reading every member of the space or every idea.

Revision ID: d2c7e9a4f1b6
Revises: b8d3f1a2c6e4
Create Date: 2026-12-07 07:10:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "d2c7e9a4f1b6"
down_revision = "b8d3f1a2c6e4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.create_index(
            "ix_threads_space_list",
            [
                "space_id",
                "pinned",
                "last_activity_at",
                "id",
                "kind",
                "deleted_at",
                "hidden_at",
                "author_id",
                "accepted_post_id",
                "answer_count",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_threads_space_list_newest",
            ["space_id", "pinned", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_threads_space_list_helpful",
            ["space_id", "pinned", "helpful_count", "last_activity_at", "id"],
            unique=False,
        )

    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index("ix_ideas_space_status")
        batch_op.create_index(
            "ix_ideas_space_shown",
            ["space_id", "status", "hidden_at", "author_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_ideas_space_updated", ["space_id", "updated_at", "id"], unique=False
        )
        # Ties by id, as the lists sort them (PostgreSQL sorted each run of equal values).
        batch_op.drop_index("ix_ideas_space_votes")
        batch_op.create_index(
            "ix_ideas_space_votes", ["space_id", "vote_count", "id"], unique=False
        )
        batch_op.drop_index("ix_ideas_space_created")
        batch_op.create_index(
            "ix_ideas_space_created", ["space_id", "created_at", "id"], unique=False
        )
        batch_op.create_index("ix_ideas_merged_into", ["merged_into_id"], unique=False)

    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(
            "ix_memberships_space_role", ["space_id", "role", "state"], unique=False
        )


def downgrade():
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_memberships_space_role")

    with op.batch_alter_table("ideas", schema=None) as batch_op:
        batch_op.drop_index("ix_ideas_merged_into")
        batch_op.drop_index("ix_ideas_space_created")
        batch_op.create_index("ix_ideas_space_created", ["space_id", "created_at"], unique=False)
        batch_op.drop_index("ix_ideas_space_votes")
        batch_op.create_index("ix_ideas_space_votes", ["space_id", "vote_count"], unique=False)
        batch_op.drop_index("ix_ideas_space_updated")
        batch_op.drop_index("ix_ideas_space_shown")
        batch_op.create_index("ix_ideas_space_status", ["space_id", "status"], unique=False)

    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.drop_index("ix_threads_space_list_helpful")
        batch_op.drop_index("ix_threads_space_list_newest")
        batch_op.drop_index("ix_threads_space_list")
