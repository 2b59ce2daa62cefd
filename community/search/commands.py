"""``flask search rebuild`` and ``flask search check``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from community.progress import running
from community.search import sources
from community.search.index_store import IndexBusy
from community.search.service import search_service

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("rebuild")
def rebuild() -> None:
    """Rebuild the index from the database (the source of truth), beside the one in use, which
    answers searches until the new one replaces it for every process at once."""
    try:
        with running("Indexing") as progress:
            progress.expect(sum(len(ids) for ids in sources.expected_ids().values()))
            count = search_service().backend.rebuild(progress.iterate(sources.all_documents()))
            progress.finish(f"Indexed {count} documents.")
    except IndexBusy:
        raise click.ClickException("Another rebuild of the search index is running.") from None


@search_cli.command("check")
def check() -> None:
    """Compare the index with the database; exits 1 when they differ."""
    backend = search_service().backend
    problems = 0
    for kind, expected in sorted(sources.expected_ids().items()):
        indexed = backend.document_ids(kind)
        missing, extra = expected - indexed, indexed - expected
        click.echo(
            f"{kind:8} database {len(expected):7}  index {len(indexed):7}  "
            f"missing {len(missing):5}  extra {len(extra):5}"
        )
        problems += len(missing) + len(extra)
    if problems:
        raise click.ClickException(
            "The index differs from the database: run `flask search rebuild`."
        )
    click.echo("The index matches the database.")
