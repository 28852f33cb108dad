"""Which deployments released a commit: an index from commit SHA to deployment.

A deployment keeps its SHAs as a JSON list (``deployments.commit_shas``); finding the
deployments that name a commit meant reading that list's text in every deployment of a year
(a failure naming a SHA, a deployments search): 116 ms per look-up at 100,000 deployments on
SQLite, 0.08 ms through this index (measured 2026-12-07). ``deployment_commits`` holds one
row per (SHA, deployment), kept by triggers on ``deployments`` (migration 0020), so every
writer, bulk ones included, keeps it without knowing; no model describes it
(failwell.migrate.UNMANAGED_TABLES).

SHAs are lower-case hexadecimal, so a prefix (an abbreviated SHA, as people write them) is a
range of the index: ``prefix <= sha < prefix + "g"`` (byte order: PostgreSQL's column is
COLLATE "C").
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Connection, and_, column, false, or_, select, table, text

from failwell.changes.models import Deployment

DEPLOYMENT_COMMITS = table("deployment_commits", column("sha"), column("deployment_id"))

# Rebuilds the whole index (the migration that creates it, and bulk loaders that go around
# triggers, such as the benchmark's COPY on PostgreSQL).
_REBUILD = {
    "sqlite": """INSERT OR IGNORE INTO deployment_commits (sha, deployment_id)
        SELECT DISTINCT lower(j.value), d.id FROM deployments AS d, json_each(d.commit_shas) AS j
        WHERE j.type = 'text'""",
    "postgresql": """INSERT INTO deployment_commits (sha, deployment_id)
        SELECT DISTINCT lower(s.sha), d.id FROM deployments AS d,
        json_array_elements_text(CASE WHEN json_typeof(d.commit_shas) = 'array'
                                      THEN d.commit_shas ELSE '[]'::json END) AS s(sha)
        ON CONFLICT DO NOTHING""",
}


def naming_commits(prefixes: Sequence[str]) -> ColumnElement[bool]:
    """Deployments that released a commit whose SHA starts with one of these (lower-case
    hexadecimal) prefixes."""
    if not prefixes:
        return false()
    sha = DEPLOYMENT_COMMITS.c.sha
    ranges = [and_(sha >= prefix, sha < prefix + "g") for prefix in dict.fromkeys(prefixes)]
    return Deployment.id.in_(select(DEPLOYMENT_COMMITS.c.deployment_id).where(or_(*ranges)))


def rebuild_commit_index(connection: Connection) -> None:
    """Fills the index from every deployment's SHAs (what is there already stays)."""
    connection.execute(text(_REBUILD[connection.dialect.name]))
