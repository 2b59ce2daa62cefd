"""Demo brainstorming sessions: a finished one in English (notes, named clusters, dot votes and
ranked results, read-only now) and an upcoming one in Chinese, both in public demo spaces.

Each session is run through the ordinary operations, phase by phase, as its facilitator and
participants would have run it, and then dated to when that happened.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from community.accounts.models import User
from community.brainstorms import operations as brainstorms
from community.brainstorms import presence
from community.brainstorms.dots import add_dot
from community.brainstorms.models import BrainstormSession, Cluster, Dot, Note, Participant, Phase
from community.brainstorms.notes import add_note, create_cluster, move_note
from community.extensions import db
from community.spaces.models import Space

FINISHED_PROMPT = "How could the scanner help technologists start the day without surprises?"

# (cluster name or None for a note left ungrouped, [(author, note)])
FINISHED_NOTES: list[tuple[str | None, list[tuple[str, str]]]] = [
    (
        "Morning readiness at a glance",
        [
            ("customer", "A single green/red readiness badge on the start screen: QA, detector temperature, disk space."),
            ("amelia", "Show yesterday's open service tickets next to the readiness badge."),
            ("olu", "Warm-up finished? Tell me with a sound, not only a progress bar I have to watch."),
        ],
    ),
    (
        "Protocols that follow the patient",
        [
            ("tomasz", "Suggest the protocol from the referral code instead of making us pick it from a list of 200."),
            ("jamal", "Paediatric protocols should be one tap away, with the dose limits visible before scanning."),
            ("priya", "Let the lead technologist lock the site's default protocols so night shifts don't drift."),
        ],
    ),
    (
        "Fewer calls to service",
        [
            ("sato", "Send the calibration log to the service portal automatically when a check fails."),
            ("kenji", "A 'what changed since yesterday' page: firmware, protocols, calibration."),
        ],
    ),
    (
        None,
        [
            ("customer", "Let us print the patient preparation sheet in Chinese and Spanish too."),
        ],
    ),
]  # fmt: skip

# (voter, [(cluster name or note text, dots)])
FINISHED_DOTS: list[tuple[str, list[tuple[str, int]]]] = [
    ("customer", [("Morning readiness at a glance", 3), ("Fewer calls to service", 2)]),
    ("jamal", [("Protocols that follow the patient", 3), ("Morning readiness at a glance", 2)]),
    ("amelia", [("Morning readiness at a glance", 3), ("Send the calibration log", 2)]),
    ("tomasz", [("Protocols that follow the patient", 3), ("Suggest the protocol", 2)]),
    ("priya", [("Morning readiness at a glance", 2), ("Fewer calls to service", 3)]),
    ("olu", [("Warm-up finished?", 2), ("Morning readiness at a glance", 3)]),
    ("sato", [("Fewer calls to service", 3), ("Let us print", 2)]),
]

UPCOMING_PROMPT = "门店和客户一起设计样板间：哪些环节最需要顾客参与？(Showroom co-design: where should customers take part?)"


def load_demo_brainstorms(people: dict[str, User], now: datetime) -> None:
    """The finished session in ``imaging-workflows`` and the upcoming one in
    ``home-cocreation``, dated around ``now``. Caller commits."""
    _finished_session(people, now)
    _upcoming_session(people, now)


def _space(slug: str) -> Space:
    return db.session.scalar(select(Space).where(Space.slug == slug))


def _finished_session(people: dict[str, User], now: datetime) -> None:
    facilitator = people["expert"]
    session = brainstorms.create_session(
        _space("imaging-workflows"),
        by=facilitator,
        prompt=FINISHED_PROMPT,
        hidden_ideation=True,
        dots_per_participant=5,
        dots_per_item=3,
    )
    participants = {author for _name, notes in FINISHED_NOTES for author, _text in notes}
    participants |= {voter for voter, _dots in FINISHED_DOTS}
    for username in sorted(participants | {facilitator.username}):
        presence.take_part(session, people[username])
    brainstorms.advance_phase(session, by=facilitator)  # ideate
    notes: dict[str, Note] = {}
    grouped: list[tuple[str, Note]] = []
    for cluster_name, seeds in FINISHED_NOTES:
        for author, text in seeds:
            note = add_note(session, author=people[author], text=text)
            notes[text] = note
            if cluster_name:
                grouped.append((cluster_name, note))
    brainstorms.advance_phase(session, by=facilitator)  # group
    clusters: dict[str, Cluster] = {}
    for cluster_name, note in grouped:
        if cluster_name not in clusters:
            clusters[cluster_name] = create_cluster(session, by=facilitator, name=cluster_name)
        move_note(note, by=facilitator, cluster=clusters[cluster_name])
    brainstorms.advance_phase(session, by=facilitator)  # vote
    for voter, choices in FINISHED_DOTS:
        for item, count in choices:
            target = _item(item, clusters, notes)
            for _ in range(count):
                add_dot(session, by=people[voter], **target)
    brainstorms.advance_phase(session, by=facilitator)  # results
    brainstorms.advance_phase(session, by=facilitator)  # closed
    _backdate(session, started=now - timedelta(days=9, hours=3))


def _item(name: str, clusters: dict[str, Cluster], notes: dict[str, Note]) -> dict:
    """The cluster called ``name``, or the note whose text begins with it."""
    if name in clusters:
        return {"cluster": clusters[name]}
    return {"note": next(note for text, note in notes.items() if text.startswith(name))}


def _backdate(session: BrainstormSession, *, started: datetime) -> None:
    """Date the session as if it ran for about 40 minutes from ``started``."""
    session.created_at = started - timedelta(days=4)
    session.scheduled_for = started
    session.started_at = started
    session.closed_at = started + timedelta(minutes=40)
    session.phase_ends_at = None
    db.session.execute(
        update(Participant)
        .where(Participant.session_id == session.id)
        .values(joined_at=started - timedelta(minutes=2))
    )
    for table, minutes in ((Note, 5), (Cluster, 16), (Dot, 27)):
        values = {"created_at": started + timedelta(minutes=minutes)}
        if table is Note:
            values["updated_at"] = values["created_at"]
        db.session.execute(update(table).where(table.session_id == session.id).values(**values))
    db.session.flush()
    assert session.current_phase == Phase.CLOSED


def _upcoming_session(people: dict[str, User], now: datetime) -> None:
    start = (now + timedelta(days=3)).replace(hour=6, minute=0, second=0, microsecond=0)
    session = brainstorms.create_session(
        _space("home-cocreation"),
        by=people["moderator"],
        prompt=UPCOMING_PROMPT,
        anonymous=True,
        hidden_ideation=True,
        dots_per_participant=4,
        dots_per_item=2,
        ideate_minutes=12,
        group_minutes=8,
        vote_minutes=5,
        scheduled_for=start,
    )
    session.created_at = now - timedelta(days=1)
    db.session.flush()
