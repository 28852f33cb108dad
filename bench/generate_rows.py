"""The rows of a generated organisation, as plain values, table by table in foreign-key order.

One random generator, seeded, feeds every table in a fixed order; the deployments' and
failures' rows are made lazily, while they are loaded. Same seed and scale, same rows.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from bench.generate_reviews import reviews_and_actions, timeline
from bench.org_shape import HISTORY, NOW, Row, Scale, TableLoad
from bench.vocabulary import COMMON_WORDS, EFFECTS, RARE_WORDS, TRIGGERS, service_names, tag_names, team_names
from failwell.people.security import hash_token, new_token

# ---- row generation ----------------------------------------------------------


def _times(rng: random.Random, n: int) -> list[datetime]:
    """n ascending instants spread over the history (ids grow with time, as in real use)."""
    start = NOW - HISTORY
    step = HISTORY.total_seconds() / max(n, 1)
    return [start + timedelta(seconds=i * step + rng.random() * step) for i in range(n)]


def _skewed_weights(n: int, exponent: float = 0.7) -> list[float]:
    # A few services deploy (and fail) far more than the rest, as in any real estate.
    return [1 / (i + 1) ** exponent for i in range(n)]


def generate(
    scale: Scale, category_ids: Sequence[int], seed: int = 7
) -> tuple[list[TableLoad], dict[str, Any]]:
    """Returns the tables to load, in foreign-key order, and facts the benchmark needs.

    The random generator is drawn from in this order, the lazy rows last, while they load:
    keep it so, or the same seed gives other data (and cached databases go stale unnoticed)."""
    rng = random.Random(seed)
    teams = team_names(scale.teams)
    services = service_names(scale.services)
    tags = tag_names(scale.tags)
    loads, token = _organisation(scale, teams, services, tags)
    svc_weights = _skewed_weights(scale.services)
    loads.append(_changes(rng, scale, services, svc_weights))
    deployments, failed_deployments = _deployments(rng, scale, svc_weights)
    loads.append(deployments)
    failures, f_times, statuses = _failures(rng, scale, services, svc_weights, failed_deployments)
    loads += failures
    loads.append(timeline(scale, f_times))
    loads += reviews_and_actions(rng, scale, category_ids, f_times, statuses)
    facts = {
        "token": token,
        "services": services,
        "teams": teams,
        "tags": tags,
        "start": (NOW - HISTORY).isoformat(),
        "end": NOW.isoformat(),
    }
    return loads, facts


# The organisation's people, teams and catalogue: no randomness.
CREATED = NOW - HISTORY - timedelta(days=30)


def _organisation(
    scale: Scale, teams: list[str], services: list[str], tags: list[str]
) -> tuple[list[TableLoad], str]:
    """Teams, people (and the bench's reader with its API token), services and tags."""
    created = CREATED
    loads: list[TableLoad] = []

    loads.append(
        TableLoad(
            "teams",
            ("id", "name", "description", "created_at"),
            [(i + 1, name, f"The {name} team", created) for i, name in enumerate(teams)],
        )
    )
    people_rows = [
        (i + 1, f"Person {i + 1}", f"person{i + 1}@example.com", "practitioner", None, True, created)
        for i in range(scale.people)
    ]
    bench_person = scale.people + 1
    people_rows.append((bench_person, "Bench reader", "bench@example.com", "viewer", None, True, created))
    loads.append(
        TableLoad(
            "people", ("id", "name", "email", "role", "password_hash", "is_active", "created_at"), people_rows
        )
    )
    loads.append(
        TableLoad(
            "team_members",
            ("team_id", "person_id"),
            [(i % scale.teams + 1, i + 1) for i in range(scale.people)],
        )
    )
    token = new_token()
    loads.append(
        TableLoad(
            "api_tokens",
            ("id", "person_id", "name", "token_hash", "prefix", "created_at", "expires_at", "revoked_at"),
            [(1, bench_person, "bench", hash_token(token), token[:10], created, None, None)],
        )
    )
    tiers = ("tier1", "tier2", "tier3", "tier4")
    loads.append(
        TableLoad(
            "services",
            ("id", "name", "description", "owner_team_id", "tier", "created_at"),
            [
                (i + 1, name, f"The {name} service", i % scale.teams + 1, tiers[i % 4], created)
                for i, name in enumerate(services)
            ],
        )
    )
    loads.append(TableLoad("tags", ("id", "name"), [(i + 1, name) for i, name in enumerate(tags)]))

    return loads, token


def _changes(rng: random.Random, scale: Scale, services: list[str], svc_weights: list[float]) -> TableLoad:
    change_times = _times(rng, scale.changes)
    change_svcs = rng.choices(range(1, scale.services + 1), svc_weights, k=scale.changes)
    return TableLoad(
        "changes",
        ("id", "title", "description", "change_type", "risk", "service_id", "external_ref", "created_at"),
        [
            (
                i + 1,
                f"Change {i + 1} to {services[change_svcs[i] - 1]}",
                "Routine change.",
                rng.choice(("standard", "normal", "emergency")),
                rng.choice(("low", "medium", "high")),
                change_svcs[i],
                f"CHG-{100000 + i}",
                change_times[i],
            )
            for i in range(scale.changes)
        ],
    )


def _deployments(rng: random.Random, scale: Scale, svc_weights: list[float]) -> tuple[TableLoad, list[int]]:
    """The deployments (rows made while they load) and the ids of the failed ones."""
    n_dep = scale.deployments
    dep_svcs = rng.choices(range(1, scale.services + 1), svc_weights, k=n_dep)
    dep_outcomes = rng.choices(("succeeded", "failed", "rolled_back"), (88, 8, 4), k=n_dep)
    dep_envs = rng.choices(("production", "staging", "canary"), (6, 3, 1), k=n_dep)
    dep_times = _times(rng, n_dep)
    failed_deployments = [i + 1 for i, o in enumerate(dep_outcomes) if o != "succeeded"]

    def deployment_rows() -> Iterator[Row]:
        counters = [0] * (scale.services + 1)
        bits = rng.getrandbits
        for i in range(n_dep):
            svc = dep_svcs[i]
            counters[svc] += 1
            v = counters[svc]
            started = dep_times[i]
            finished = started + timedelta(seconds=60 + (v * 37) % 840)
            shas = [f"{bits(160):040x}" for _ in range(1 + v % 3)]
            change_id = 1 + (i * 7919) % scale.changes if i % 20 == 0 and scale.changes else None
            yield (
                i + 1,
                svc,
                change_id,
                dep_envs[i],
                f"{1 + v // 400}.{(v // 20) % 20}.{v % 20}",
                shas,
                started,
                finished,
                dep_outcomes[i],
                f"https://ci.example.com/{svc}/pipelines/{i + 1}",
                finished,
            )

    load = TableLoad(
        "deployments",
        (
            "id",
            "service_id",
            "change_id",
            "environment",
            "version",
            "commit_shas",
            "started_at",
            "finished_at",
            "outcome",
            "pipeline_url",
            "created_at",
        ),
        deployment_rows(),
    )
    return load, failed_deployments


def _failures(
    rng: random.Random,
    scale: Scale,
    services: list[str],
    svc_weights: list[float],
    failed_deployments: list[int],
) -> tuple[list[TableLoad], list[datetime], list[str]]:
    """The failures (rows made while they load) with their service, deployment and tag links,
    and each failure's start and status, which the reviews follow."""
    loads: list[TableLoad] = []
    n_f = scale.failures
    f_times = _times(rng, n_f)
    kinds = rng.choices(("failed_deployment", "incident", "near_miss"), (35, 50, 15), k=n_f)
    severities = rng.choices((1, 2, 3, 4, 5), (3, 12, 35, 30, 20), k=n_f)
    recent = NOW - timedelta(days=30)
    statuses = [
        rng.choices(
            ("open", "mitigated", "resolved", "closed"), (40, 20, 30, 10) if t > recent else (1, 1, 28, 70)
        )[0]
        for t in f_times
    ]
    fs_rows: list[Row] = []
    fd_rows: list[Row] = []
    ft_rows: list[Row] = []
    tag_weights = _skewed_weights(scale.tags, 1.0)

    def failure_rows() -> Iterator[Row]:
        for i in range(n_f):
            fid = i + 1
            started = f_times[i]
            svc_ids = sorted(set(rng.choices(range(1, scale.services + 1), svc_weights, k=rng.randint(1, 3))))
            fs_rows.extend((fid, s) for s in svc_ids)
            for t in sorted(set(rng.choices(range(1, scale.tags + 1), tag_weights, k=rng.randint(0, 3)))):
                ft_rows.append((fid, t))
            if kinds[i] == "failed_deployment" and failed_deployments:
                fd_rows.append((fid, failed_deployments[(i * 104729) % len(failed_deployments)]))
            svc_name = services[svc_ids[0] - 1]
            word = rng.choice(COMMON_WORDS)
            rare = f" Root cause involved {rng.choice(RARE_WORDS)}." if rng.random() < 0.003 else ""
            description = (
                f"{word.capitalize()} on {svc_name} after {rng.choice(TRIGGERS)}; "
                f"{rng.choice(EFFECTS)}.{rare} Detected by an alert on the error budget."
            )
            status = statuses[i]
            detected = started + timedelta(minutes=1 + fid % 55)
            mitigated = detected + timedelta(minutes=5 + fid % 90) if status != "open" else None
            resolved = (
                mitigated + timedelta(hours=1 + fid % 20)
                if mitigated is not None and status in ("resolved", "closed")
                else None
            )
            anonymous = fid % 10 == 0
            reporter = None if anonymous else 1 + (fid * 31) % scale.people
            yield (
                fid,
                f"{word.capitalize()} in {svc_name}",
                description,
                kinds[i],
                severities[i],
                status,
                started,
                detected,
                mitigated,
                resolved,
                "",
                "Some consumers saw errors." if fid % 3 else "",
                reporter,
                anonymous,
                "api",
                detected,
                resolved or mitigated or detected,
            )

    loads.append(
        TableLoad(
            "failures",
            (
                "id",
                "title",
                "description",
                "kind",
                "severity",
                "status",
                "started_at",
                "detected_at",
                "mitigated_at",
                "resolved_at",
                "impact_partners",
                "impact_consumers",
                "reporter_id",
                "anonymous",
                "reported_via",
                "created_at",
                "updated_at",
            ),
            failure_rows(),
        )
    )
    # The link lists fill while the failures above are generated, which happens before
    # these loads run (loads run in order).
    loads.append(TableLoad("failure_services", ("failure_id", "service_id"), fs_rows))
    loads.append(TableLoad("failure_deployments", ("failure_id", "deployment_id"), fd_rows))
    loads.append(TableLoad("failure_tags", ("failure_id", "tag_id"), ft_rows))
    return loads, f_times, statuses
