"""Deployment commits: an index from commit SHA to the deployments that released it.

Finding the deployments that name a commit read the JSON list of SHAs of every deployment of a
year (failwell.changes.commit_index). This table holds one row per (SHA, deployment), kept by
triggers on deployments so that every writer keeps it: on SQLite per row, on PostgreSQL per
statement for inserts (a CI batch, an import) and per row for an update of the SHAs.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 11:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE = [
    """CREATE TABLE deployment_commits (
        sha VARCHAR(64) NOT NULL,
        deployment_id INTEGER NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
        PRIMARY KEY (sha, deployment_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX ix_deployment_commits_deployment ON deployment_commits (deployment_id)",
    """CREATE TRIGGER deployments_commits_ai AFTER INSERT ON deployments BEGIN
        INSERT OR IGNORE INTO deployment_commits (sha, deployment_id)
        SELECT lower(value), new.id FROM json_each(new.commit_shas) WHERE type = 'text';
    END""",
    """CREATE TRIGGER deployments_commits_au AFTER UPDATE OF commit_shas ON deployments BEGIN
        DELETE FROM deployment_commits WHERE deployment_id = old.id;
        INSERT OR IGNORE INTO deployment_commits (sha, deployment_id)
        SELECT lower(value), new.id FROM json_each(new.commit_shas) WHERE type = 'text';
    END""",
]

POSTGRESQL = [
    """CREATE TABLE deployment_commits (
        sha VARCHAR(64) COLLATE "C" NOT NULL,
        deployment_id INTEGER NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
        PRIMARY KEY (sha, deployment_id)
    )""",
    "CREATE INDEX ix_deployment_commits_deployment ON deployment_commits (deployment_id)",
    """CREATE FUNCTION deployment_commits_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO deployment_commits (sha, deployment_id)
        SELECT DISTINCT lower(s.sha), n.id FROM new_rows AS n,
        json_array_elements_text(CASE WHEN json_typeof(n.commit_shas) = 'array'
                                      THEN n.commit_shas ELSE '[]'::json END) AS s(sha)
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER deployments_commits_ai AFTER INSERT ON deployments
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION deployment_commits_inserted()""",
    """CREATE FUNCTION deployment_commits_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM deployment_commits WHERE deployment_id = OLD.id;
        INSERT INTO deployment_commits (sha, deployment_id)
        SELECT DISTINCT lower(s.sha), NEW.id FROM
        json_array_elements_text(CASE WHEN json_typeof(NEW.commit_shas) = 'array'
                                      THEN NEW.commit_shas ELSE '[]'::json END) AS s(sha)
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER deployments_commits_au AFTER UPDATE OF commit_shas ON deployments
        FOR EACH ROW EXECUTE FUNCTION deployment_commits_updated()""",
]


def upgrade() -> None:
    from failwell.changes.commit_index import rebuild_commit_index

    bind = op.get_bind()
    for statement in SQLITE if bind.dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)
    rebuild_commit_index(bind)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS deployments_commits_ai" + _on())
    op.execute("DROP TRIGGER IF EXISTS deployments_commits_au" + _on())
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS deployment_commits_inserted()")
        op.execute("DROP FUNCTION IF EXISTS deployment_commits_updated()")
    op.execute("DROP TABLE IF EXISTS deployment_commits")


def _on() -> str:
    return " ON deployments" if op.get_bind().dialect.name == "postgresql" else ""
