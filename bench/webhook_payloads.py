"""The webhooks bench's organisation and what it sends: real-shaped GitHub deployment_status
payloads, signed; generic CI deployments; the raw HTTP/1.1 requests that carry them."""

from __future__ import annotations

import hashlib
import hmac
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from bench.common import HOST

GITHUB_SECRET = "bench-github-secret-0123456789"
GENERIC_SECRET = "bench-generic-secret-0123456789"
# Deployments start in the month before the run: failwell refuses starts in the future.
BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)


@dataclass
class Org:
    github_id: int
    generic_id: int
    services: list[str]


def setup_org(url: str, n_services: int) -> Org:
    from failwell.authz import SYSTEM
    from failwell.catalogue import service as catalogue
    from failwell.catalogue.schemas import ServiceIn
    from failwell.db import Database
    from failwell.enums import Tier
    from failwell.integrations import service as integrations
    from failwell.integrations.models import IntegrationKind
    from failwell.integrations.schemas import IntegrationIn, RuleIn
    from failwell.people import teams
    from failwell.people.schemas import TeamIn

    db = Database(url, pool_size=1)
    try:
        with db.session() as s:
            teams.create_team(s, SYSTEM, TeamIn(name="delivery", description="Ships things"))
            names = [f"svc-{i:02d}" for i in range(n_services)]
            for i, name in enumerate(names):
                tier = list(Tier)[i % len(Tier)]
                catalogue.create_service(s, SYSTEM, ServiceIn(name=name, owner_team="delivery", tier=tier))
            github, _ = integrations.create_integration(
                s, SYSTEM, IntegrationIn(kind=IntegrationKind.github, name="github", secret=GITHUB_SECRET)
            )
            generic, _ = integrations.create_integration(
                s, SYSTEM, IntegrationIn(kind=IntegrationKind.generic, name="ci", secret=GENERIC_SECRET)
            )
            for i, name in enumerate(names):
                rule = RuleIn(match_field="repository", pattern=f"acme/{name}", service=name, position=i)
                integrations.create_rule(s, SYSTEM, github.id, rule)
            return Org(github.id, generic.id, names)
    finally:
        db.dispose()


def _user(login: str, uid: int) -> dict[str, Any]:
    api = f"https://api.github.com/users/{login}"
    return {
        "login": login, "id": uid, "node_id": f"MDQ6VXNlcj{uid}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4", "gravatar_id": "",
        "url": api, "html_url": f"https://github.com/{login}", "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}", "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}", "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs", "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}", "received_events_url": f"{api}/received_events",
        "type": "User", "site_admin": False,
    }  # fmt: skip


# The URL templates of GitHub's repository object (names as its REST API spells them).
_REPO_LINKS = [
    "forks", "keys", "collaborators{/collaborator}", "teams", "hooks", "issues/events{/number}",
    "events", "assignees{/user}", "branches{/branch}", "tags", "blobs{/sha}", "git/tags{/sha}",
    "git/refs{/sha}", "git/trees{/sha}", "statuses/{sha}", "languages", "stargazers",
    "contributors", "subscribers", "subscription", "commits{/sha}", "git/commits{/sha}",
    "comments{/number}", "issues/comments{/number}", "contents/{+path}", "compare/{base}...{head}",
    "merges", "{archive_format}{/ref}", "downloads", "issues{/number}", "pulls{/number}",
    "milestones{/number}", "notifications{?since,all,participating}", "labels{/name}",
    "releases{/id}", "deployments",
]  # fmt: skip


def _repository(name: str, rid: int, owner: dict[str, Any]) -> dict[str, Any]:
    full = f"acme/{name}"
    api = f"https://api.github.com/repos/{full}"
    repo: dict[str, Any] = {
        "id": rid, "node_id": f"MDEwOlJlcG9zaXRvcn{rid}", "name": name, "full_name": full,
        "private": True, "owner": owner, "html_url": f"https://github.com/{full}",
        "description": f"The {name} service", "fork": False, "url": api,
        "created_at": "2024-01-05T10:00:00Z", "updated_at": "2026-11-01T09:00:00Z",
        "pushed_at": "2026-11-01T09:00:00Z", "git_url": f"git://github.com/{full}.git",
        "ssh_url": f"git@github.com:{full}.git", "clone_url": f"https://github.com/{full}.git",
        "svn_url": f"https://github.com/{full}", "homepage": None, "size": 4242,
        "stargazers_count": 3, "watchers_count": 3, "language": "Python", "has_issues": True,
        "has_projects": True, "has_downloads": True, "has_wiki": False, "has_pages": False,
        "forks_count": 0, "mirror_url": None, "archived": False, "disabled": False,
        "open_issues_count": 7, "license": None, "forks": 0, "open_issues": 7, "watchers": 3,
        "default_branch": "main", "topics": [], "visibility": "private",
    }  # fmt: skip
    for link in _REPO_LINKS:
        key = link.split("/")[-1].split("{")[0] or link.split("/")[0]
        repo[f"{key.replace('-', '_')}_url"] = f"{api}/{link}"
    return repo


def github_payloads(n: int, services: list[str], seed: int) -> list[tuple[str, bytes]]:
    """(delivery id, body) of `deployment_status` events that end a deployment."""
    rng = random.Random(seed)
    base = BASE
    owner = _user("acme", 9_000_001)
    repos = {s: _repository(s, 70_000_000 + i, owner) for i, s in enumerate(services)}
    bot = _user("deploy-bot", 9_000_002)
    out = []
    for i in range(n):
        svc = rng.choice(services)
        env = rng.choices(("production", "staging"), (3, 2))[0]
        state = rng.choices(("success", "failure"), (95, 5))[0]
        sha = f"{rng.getrandbits(160):040x}"
        created = base + timedelta(seconds=i * 7)
        dep_id = 500_000_000 + i
        dep_url = f"https://api.github.com/repos/acme/{svc}/deployments/{dep_id}"
        payload = {
            "action": "created",
            "deployment_status": {
                "url": f"{dep_url}/statuses/{dep_id + 1}", "id": dep_id + 1,
                "node_id": f"DES_{dep_id}", "state": state, "creator": bot, "description": "",
                "environment": env, "target_url": f"https://ci.example.com/{svc}/runs/{i}",
                "created_at": (created + timedelta(seconds=rng.randint(40, 900))).isoformat()[:19] + "Z",
                "updated_at": (created + timedelta(seconds=900)).isoformat()[:19] + "Z",
                "deployment_url": dep_url, "repository_url": f"https://api.github.com/repos/acme/{svc}",
            },
            "deployment": {
                "url": dep_url, "id": dep_id, "node_id": f"DE_{dep_id}", "sha": sha,
                "ref": f"v1.{i // 100}.{i % 100}", "task": "deploy", "payload": {},
                "original_environment": env, "environment": env, "description": None,
                "creator": bot, "created_at": created.isoformat()[:19] + "Z",
                "updated_at": created.isoformat()[:19] + "Z",
                "statuses_url": f"{dep_url}/statuses", "repository_url": f"https://api.github.com/repos/acme/{svc}",
            },
            "repository": repos[svc],
            "sender": bot,
        }  # fmt: skip
        out.append((f"{rng.getrandbits(128):032x}", orjson.dumps(payload)))
    return out


def generic_deployment(rng: random.Random, i: int, services: list[str]) -> dict[str, Any]:
    svc = rng.choice(services)
    started = BASE + timedelta(seconds=i * 7)
    return {
        "service": svc,
        "repository": f"acme/{svc}",
        "environment": rng.choices(("production", "staging"), (3, 2))[0],
        "version": f"2.{i // 100}.{i % 100}",
        "commit_shas": [f"{rng.getrandbits(160):040x}"],
        "started_at": started.isoformat().replace("+00:00", "Z"),
        "finished_at": (started + timedelta(seconds=rng.randint(40, 900))).isoformat().replace("+00:00", "Z"),
        "outcome": rng.choices(("succeeded", "failed"), (95, 5))[0],
        "pipeline_url": f"https://ci.example.com/{svc}/pipelines/{i}",
        "external_id": f"run-{i}",
    }


def github_headers(delivery: str, body: bytes) -> dict[str, str]:
    digest = hmac.new(GITHUB_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {
        "x-github-event": "deployment_status",
        "x-github-delivery": delivery,
        "x-hub-signature-256": f"sha256={digest}",
        "user-agent": "GitHub-Hookshot/bench",
        "content-type": "application/json",
    }


def generic_headers() -> dict[str, str]:
    return {"authorization": f"Bearer {GENERIC_SECRET}", "content-type": "application/json"}


def raw_request(path: str, port: int, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {HOST}:{port}", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body
