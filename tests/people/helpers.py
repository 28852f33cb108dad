"""What the administration page tests (tests/people/test_admin_pages_*.py) share: people,
factor categories and tokens looked up by what the tests know, the state a refused request must
leave as it was, and every administration request (each page and each form post)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from failwell.db import Database
from failwell.enums import Role
from failwell.failures.models import SeverityLevel
from failwell.people import service as people
from failwell.people.models import ApiToken, OrgSetting, Person
from failwell.reviews.models import FactorCategory
from support import Org

if TYPE_CHECKING:  # only for types: tests/e2e/conftest.py may hold the name 'conftest' at runtime
    from support import PageClient

Pages = Callable[[Role], "PageClient"]
OWNER_PASSWORD = "correct horse battery"


def _person_id(db: Database, email: str) -> int:
    with db.session() as s:
        return people.person_by_email(s, email).id


def _category_id(db: Database) -> int:
    with db.session() as s:
        found = s.scalar(select(FactorCategory.id).order_by(FactorCategory.id).limit(1))
        assert found is not None, "the migrations seed a factor taxonomy"
        return found


def _state(db: Database) -> dict[str, Any]:
    """Everything the administration pages can change, to prove a refusal changed nothing."""
    with db.session() as s:
        return {
            "people": s.execute(
                select(
                    Person.email, Person.name, Person.role, Person.is_active, Person.password_hash
                ).order_by(Person.id)
            ).all(),
            "teams": {p.email: [t.name for t in p.teams] for p in s.scalars(select(Person))},
            "tokens": s.execute(
                select(ApiToken.id, ApiToken.name, ApiToken.revoked_at).order_by(ApiToken.id)
            ).all(),
            "categories": s.execute(
                select(
                    FactorCategory.key,
                    FactorCategory.name,
                    FactorCategory.description,
                    FactorCategory.is_active,
                )
            ).all(),
            "severity": s.execute(
                select(SeverityLevel.level, SeverityLevel.name, SeverityLevel.description)
            ).all(),
            "settings": s.execute(select(OrgSetting.key, OrgSetting.value)).all(),
        }


def _token_id(db: Database, email: str) -> int:
    with db.session() as s:
        person = people.person_by_email(s, email)
        found = s.scalar(select(ApiToken.id).where(ApiToken.person_id == person.id).limit(1))
        assert found is not None
        return found


def _admin_requests(db: Database, org: Org) -> list[tuple[str, str, dict[str, Any]]]:
    viewer_id = _person_id(db, org.emails[Role.viewer])
    category = _category_id(db)
    token = _token_id(db, org.emails[Role.practice_owner])
    gets = [
        "/admin",
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{viewer_id}",
        "/admin/tokens",
        "/admin/factors",
        f"/admin/factors/{category}",
        "/admin/severity",
        "/admin/review-template",
    ]
    posts: list[tuple[str, dict[str, Any]]] = [
        ("/admin/users/new", {"name": "Mallory", "email": "mallory@example.com", "role": "practice_owner"}),
        ("/admin/users/new", {"name": "", "email": "not an e-mail"}),  # a 422 would leak the form
        (
            f"/admin/users/{viewer_id}",
            {"name": "Viewer", "email": org.emails[Role.viewer], "role": "practice_owner"},
        ),
        (f"/admin/users/{viewer_id}/access", {"is_active": "false"}),
        (f"/admin/users/{viewer_id}/password", {"password": "taken over!", "confirm": "taken over!"}),
        ("/admin/tokens", {"person": org.emails[Role.practice_owner], "name": "stolen"}),
        (f"/admin/tokens/{token}/revoke", {}),
        ("/admin/factors", {"key": "blame", "name": "Blame", "position": "1"}),
        (f"/admin/factors/{category}", {"name": "Renamed", "description": ""}),
        (f"/admin/factors/{category}/active", {"is_active": "false"}),
        ("/admin/severity", {"name_1": "Meh", "description_1": ""}),
        ("/admin/review-template", {"template": "Find who did it."}),
        ("/admin/review-template/preview", {"template": "# hi"}),
    ]
    return [("GET", url, {}) for url in gets] + [("POST", url, data) for url, data in posts]
