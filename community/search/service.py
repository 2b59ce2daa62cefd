"""The search service bound to the app: who may see what, and the index queue."""

from __future__ import annotations

import atexit
import os
from collections.abc import Iterable

from flask import Flask, current_app
from sqlalchemy import make_url, select

from community.extensions import db
from community.permissions import Role, has_role
from community.search.backend import (
    Access,
    SearchBackend,
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchResults,
)
from community.search.indexer import IndexQueue
from community.search.pg_backend import PostgresBackend
from community.search.sqlite_backend import SqliteBackend
from community.spaces.models import Membership, MembershipState, Space, Visibility


class SearchService:
    """Search for one app: its backend and its queue of index changes."""

    def __init__(self, backend: SearchBackend, queue: IndexQueue | None) -> None:
        self.backend = backend
        self.queue = queue  # None when the backend writes in the content's transaction

    def index(self, upserts: Iterable[SearchDocument] = (), removals: Iterable[str] = ()) -> None:
        """Index changes: written in the current transaction by a transactional backend, else
        queued (written in the background, retried on failure)."""
        if self.queue is None:
            self.backend.apply(upserts, removals)
        else:
            self.queue.put(upserts, removals)

    def search(self, user, **params) -> SearchResults:
        """Search as ``user``: only what they may read can come back."""
        return self.backend.search(SearchQuery(access=access_for(user), **params))

    def suggest(
        self,
        user,
        text: str,
        kinds: tuple[str, ...] = (),
        limit: int = 8,
        space_id: int | None = None,
    ) -> list[SearchHit]:
        """Title matches ``user`` may read; with ``space_id`` (the space the person is writing
        in), that space's matches first, then other spaces' (still only what ``user`` may
        read: the space narrows the reader's access, never widens it)."""
        access = access_for(user)
        if space_id is None:
            return self.backend.suggest(text, access, kinds=kinds, limit=limit)
        here = self.backend.suggest(text, access, kinds=kinds, limit=limit, space_id=str(space_id))
        if len(here) >= limit:
            return here
        seen = {hit.id for hit in here}
        elsewhere = self.backend.suggest(text, access, kinds=kinds, limit=limit + len(here))
        return here + [hit for hit in elsewhere if hit.id not in seen][: limit - len(here)]


def access_for(user) -> Access:
    """What ``user`` may find, read from the database at query time (the same rule as
    ``space.view``): open spaces, plus the private spaces they are an active member of;
    every other private space is masked."""
    if has_role(user, Role.ADMIN):
        return Access(everything=True)
    private = set(
        db.session.scalars(select(Space.id).where(Space.visibility == Visibility.PRIVATE.value))
    )
    readable: set[int] = set()
    if private and user is not None and getattr(user, "is_authenticated", False):
        readable = set(
            db.session.scalars(
                select(Membership.space_id).where(
                    Membership.user_id == user.id,
                    Membership.state == MembershipState.ACTIVE.value,
                    Membership.space_id.in_(private),
                )
            )
        )
    return Access(
        space_ids=frozenset(str(i) for i in readable),
        masked_space_ids=frozenset(str(i) for i in private - readable),
    )


def init_search(app: Flask) -> None:
    """Search for ``app``: in PostgreSQL when the application's database is PostgreSQL (the
    tables its migration made), else in an SQLite FTS5 index opened (or created) in
    ``SEARCH_INDEX_DIR``."""
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql":
        app.extensions["search"] = SearchService(PostgresBackend(), None)
        return
    path = app.config.get("SEARCH_INDEX_DIR") or os.path.join(app.instance_path, "search")
    backend = SqliteBackend(path)
    queue = IndexQueue(backend, synchronous=app.config["SEARCH_SYNC"])
    # Write what is still queued before the process exits (CLI commands, worker restarts).
    atexit.register(queue.flush, 10.0)
    app.extensions["search"] = SearchService(backend, queue)


def search_service() -> SearchService:
    return current_app.extensions["search"]
