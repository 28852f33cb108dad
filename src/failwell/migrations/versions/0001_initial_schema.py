"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 14:48:52.131627
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The default contributing-factor taxonomy: systems and conditions, never people.
DEFAULT_FACTOR_CATEGORIES = [
    ("change_or_configuration", "Change or configuration", "A code, configuration or infrastructure change."),
    ("capacity", "Capacity", "Load, quotas, resource exhaustion or scaling limits."),
    ("dependency", "Dependency", "An upstream or third-party service or library behaved unexpectedly."),
    ("detection_gap", "Detection gap", "Monitoring or alerting did not show the problem soon enough."),
    ("process", "Process", "A procedure was missing, unclear or did not fit the situation."),
    ("knowledge", "Knowledge", "Information people needed was missing, scattered or out of date."),
    ("tooling", "Tooling", "Tools made the right action hard or the wrong one easy."),
    ("hardware", "Hardware", "Physical or virtual hardware failed or degraded."),
    ("time", "Time", "Time pressure, time zones, clocks, expiry or scheduling."),
    ("security", "Security", "A vulnerability, attack or security control played a part."),
    ("other", "Other", "Anything the categories above do not describe."),
]

DEFAULT_SEVERITY_LEVELS = [
    (
        1,
        "SEV1",
        "Critical: a tier-1 service is down or data is at risk; partners and consumers are hurt now.",
    ),
    (
        2,
        "SEV2",
        "Major: significant degradation or a partial outage with visible impact on partners or consumers.",
    ),
    (3, "SEV3", "Minor: limited impact, a workaround exists, or only internal users are affected."),
    (4, "SEV4", "Low: cosmetic or negligible impact; worth learning from."),
    (5, "SEV5", "No impact: a near miss or a failure caught before anyone was affected."),
]


def upgrade() -> None:
    op.create_table(
        "factor_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_factor_categories")),
        sa.UniqueConstraint("key", name=op.f("uq_factor_categories_key")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "practice_owner",
                "practice_manager",
                "practitioner",
                "viewer",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("email", name=op.f("uq_people_email")),
    )
    op.create_table(
        "severity_levels",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.PrimaryKeyConstraint("level", name=op.f("pk_severity_levels")),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_teams_name")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_api_tokens_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_person_id"), ["person_id"], unique=False)

    op.create_table(
        "failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "failed_deployment",
                "incident",
                "near_miss",
                name="failure_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "mitigated",
                "resolved",
                "closed",
                name="failure_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mitigated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("impact_partners", sa.Text(), nullable=False),
        sa.Column("impact_consumers", sa.Text(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column(
            "reported_via",
            sa.Enum(
                "api",
                "cli",
                "web",
                "webhook",
                "demo",
                name="report_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["people.id"], name=op.f("fk_failures_reporter_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["severity"], ["severity_levels.level"], name=op.f("fk_failures_severity_severity_levels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failures")),
    )
    with op.batch_alter_table("failures", schema=None) as batch_op:
        batch_op.create_index("ix_failures_kind_started", ["kind", "started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_failures_reporter_id"), ["reporter_id"], unique=False)
        batch_op.create_index("ix_failures_severity_started", ["severity", "started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_failures_started_at"), ["started_at"], unique=False)
        batch_op.create_index("ix_failures_status_started", ["status", "started_at"], unique=False)

    op.create_table(
        "services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("owner_team_id", sa.Integer(), nullable=False),
        sa.Column(
            "tier",
            sa.Enum(
                "tier1",
                "tier2",
                "tier3",
                "tier4",
                name="tier",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_team_id"], ["teams.id"], name=op.f("fk_services_owner_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
        sa.UniqueConstraint("name", name=op.f("uq_services_name")),
    )
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_services_owner_team_id"), ["owner_team_id"], unique=False)

    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_team_members_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_members_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("team_id", "person_id", name=op.f("pk_team_members")),
    )
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.create_index("ix_team_members_person_id", ["person_id"], unique=False)

    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "change_type",
            sa.Enum(
                "standard",
                "normal",
                "emergency",
                name="change_type",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "risk",
            sa.Enum(
                "low", "medium", "high", name="risk", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("external_ref", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], name=op.f("fk_changes_service_id_services")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_changes_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_changes_service_id"), ["service_id"], unique=False)

    op.create_table(
        "corrective_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("failure_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "action_type",
            sa.Enum(
                "mitigate",
                "prevent",
                "detect",
                "process",
                name="action_type",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("owner_team_id", sa.Integer(), nullable=False),
        sa.Column("owner_person_id", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column(
            "priority",
            sa.Enum(
                "critical",
                "high",
                "medium",
                "low",
                name="action_priority",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "in_progress",
                "done",
                "wont_do",
                name="action_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("wont_do_reason", sa.Text(), nullable=True),
        sa.Column("external_url", sa.String(length=2000), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["failure_id"],
            ["failures.id"],
            name=op.f("fk_corrective_actions_failure_id_failures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_person_id"],
            ["people.id"],
            name=op.f("fk_corrective_actions_owner_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_team_id"], ["teams.id"], name=op.f("fk_corrective_actions_owner_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrective_actions")),
    )
    with op.batch_alter_table("corrective_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_corrective_actions_failure_id"), ["failure_id"], unique=False)
        batch_op.create_index("ix_corrective_actions_status_due", ["status", "due_date"], unique=False)
        batch_op.create_index("ix_corrective_actions_team_status", ["owner_team_id", "status"], unique=False)

    op.create_table(
        "failure_services",
        sa.Column("failure_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["failure_id"],
            ["failures.id"],
            name=op.f("fk_failure_services_failure_id_failures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_failure_services_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("failure_id", "service_id", name=op.f("pk_failure_services")),
    )
    with op.batch_alter_table("failure_services", schema=None) as batch_op:
        batch_op.create_index("ix_failure_services_service_id", ["service_id", "failure_id"], unique=False)

    op.create_table(
        "failure_tags",
        sa.Column("failure_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["failure_id"],
            ["failures.id"],
            name=op.f("fk_failure_tags_failure_id_failures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_failure_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("failure_id", "tag_id", name=op.f("pk_failure_tags")),
    )
    with op.batch_alter_table("failure_tags", schema=None) as batch_op:
        batch_op.create_index("ix_failure_tags_tag_id", ["tag_id", "failure_id"], unique=False)

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("failure_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "in_review",
                "published",
                name="review_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("impact", sa.Text(), nullable=False),
        sa.Column("what_went_well", sa.Text(), nullable=False),
        sa.Column("what_went_wrong", sa.Text(), nullable=False),
        sa.Column("where_we_got_lucky", sa.Text(), nullable=False),
        sa.Column("lessons_learned", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("fk_reviews_author_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["failure_id"], ["failures.id"], name=op.f("fk_reviews_failure_id_failures"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("failure_id", name=op.f("uq_reviews_failure_id")),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviews_published_at"), ["published_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_reviews_status"), ["status"], unique=False)

    op.create_table(
        "service_consumers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "partner",
                "consumer",
                "internal",
                name="consumer_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_service_consumers_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_consumers")),
    )
    with op.batch_alter_table("service_consumers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_consumers_service_id"), ["service_id"], unique=False)

    op.create_table(
        "timeline_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("failure_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "detection",
                "diagnosis",
                "mitigation",
                "resolution",
                "key_moment",
                "note",
                name="timeline_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["people.id"],
            name=op.f("fk_timeline_events_author_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["failure_id"],
            ["failures.id"],
            name=op.f("fk_timeline_events_failure_id_failures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timeline_events")),
    )
    with op.batch_alter_table("timeline_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_timeline_events_failure_occurred", ["failure_id", "occurred_at"], unique=False
        )

    op.create_table(
        "contributing_factors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["factor_categories.id"],
            name=op.f("fk_contributing_factors_category_id_factor_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_contributing_factors_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contributing_factors")),
    )
    with op.batch_alter_table("contributing_factors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contributing_factors_category_id"), ["category_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contributing_factors_review_id"), ["review_id"], unique=False)

    op.create_table(
        "deployments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=True),
        sa.Column("environment", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=128), nullable=False),
        sa.Column("commit_shas", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "succeeded",
                "failed",
                "rolled_back",
                name="deployment_outcome",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("pipeline_url", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["change_id"], ["changes.id"], name=op.f("fk_deployments_change_id_changes")),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_deployments_service_id_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployments")),
    )
    with op.batch_alter_table("deployments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deployments_change_id"), ["change_id"], unique=False)
        batch_op.create_index("ix_deployments_outcome_started", ["outcome", "started_at"], unique=False)
        batch_op.create_index("ix_deployments_service_started", ["service_id", "started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_deployments_started_at"), ["started_at"], unique=False)

    op.create_table(
        "failure_changes",
        sa.Column("failure_id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["changes.id"],
            name=op.f("fk_failure_changes_change_id_changes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["failure_id"],
            ["failures.id"],
            name=op.f("fk_failure_changes_failure_id_failures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("failure_id", "change_id", name=op.f("pk_failure_changes")),
    )
    with op.batch_alter_table("failure_changes", schema=None) as batch_op:
        batch_op.create_index("ix_failure_changes_change_id", ["change_id"], unique=False)

    op.create_table(
        "failure_deployments",
        sa.Column("failure_id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deployment_id"],
            ["deployments.id"],
            name=op.f("fk_failure_deployments_deployment_id_deployments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["failure_id"],
            ["failures.id"],
            name=op.f("fk_failure_deployments_failure_id_failures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("failure_id", "deployment_id", name=op.f("pk_failure_deployments")),
    )
    with op.batch_alter_table("failure_deployments", schema=None) as batch_op:
        batch_op.create_index("ix_failure_deployments_deployment_id", ["deployment_id"], unique=False)

    factor_categories = sa.table(
        "factor_categories",
        sa.column("key"),
        sa.column("name"),
        sa.column("description"),
        sa.column("position"),
        sa.column("is_active"),
    )
    op.bulk_insert(
        factor_categories,
        [
            {"key": k, "name": n, "description": d, "position": i, "is_active": True}
            for i, (k, n, d) in enumerate(DEFAULT_FACTOR_CATEGORIES)
        ],
    )
    severity_levels = sa.table(
        "severity_levels", sa.column("level"), sa.column("name"), sa.column("description")
    )
    op.bulk_insert(
        severity_levels, [{"level": lv, "name": n, "description": d} for lv, n, d in DEFAULT_SEVERITY_LEVELS]
    )


def downgrade() -> None:
    with op.batch_alter_table("failure_deployments", schema=None) as batch_op:
        batch_op.drop_index("ix_failure_deployments_deployment_id")

    op.drop_table("failure_deployments")
    with op.batch_alter_table("failure_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_failure_changes_change_id")

    op.drop_table("failure_changes")
    with op.batch_alter_table("deployments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deployments_started_at"))
        batch_op.drop_index("ix_deployments_service_started")
        batch_op.drop_index("ix_deployments_outcome_started")
        batch_op.drop_index(batch_op.f("ix_deployments_change_id"))

    op.drop_table("deployments")
    with op.batch_alter_table("contributing_factors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contributing_factors_review_id"))
        batch_op.drop_index(batch_op.f("ix_contributing_factors_category_id"))

    op.drop_table("contributing_factors")
    with op.batch_alter_table("timeline_events", schema=None) as batch_op:
        batch_op.drop_index("ix_timeline_events_failure_occurred")

    op.drop_table("timeline_events")
    with op.batch_alter_table("service_consumers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_consumers_service_id"))

    op.drop_table("service_consumers")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_status"))
        batch_op.drop_index(batch_op.f("ix_reviews_published_at"))

    op.drop_table("reviews")
    with op.batch_alter_table("failure_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_failure_tags_tag_id")

    op.drop_table("failure_tags")
    with op.batch_alter_table("failure_services", schema=None) as batch_op:
        batch_op.drop_index("ix_failure_services_service_id")

    op.drop_table("failure_services")
    with op.batch_alter_table("corrective_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_corrective_actions_team_status")
        batch_op.drop_index("ix_corrective_actions_status_due")
        batch_op.drop_index(batch_op.f("ix_corrective_actions_failure_id"))

    op.drop_table("corrective_actions")
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_changes_service_id"))
        batch_op.drop_index(batch_op.f("ix_changes_created_at"))

    op.drop_table("changes")
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.drop_index("ix_team_members_person_id")

    op.drop_table("team_members")
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_services_owner_team_id"))

    op.drop_table("services")
    with op.batch_alter_table("failures", schema=None) as batch_op:
        batch_op.drop_index("ix_failures_status_started")
        batch_op.drop_index(batch_op.f("ix_failures_started_at"))
        batch_op.drop_index("ix_failures_severity_started")
        batch_op.drop_index(batch_op.f("ix_failures_reporter_id"))
        batch_op.drop_index("ix_failures_kind_started")

    op.drop_table("failures")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_person_id"))

    op.drop_table("api_tokens")
    op.drop_table("teams")
    op.drop_table("tags")
    op.drop_table("severity_levels")
    op.drop_table("people")
    op.drop_table("factor_categories")
