"""The composition root and the identity port: fast tests, no database server.

Tests that need an unwired process swap the modules' state with monkeypatch, which puts it back
afterwards, so the rest of the session still runs wired (conftest calls bootstrap()).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine
from sqlalchemy.orm import Session

from failwell import bootstrap as composition
from failwell import events, identity
from failwell.authz import Actor
from failwell.enums import Role
from failwell.identity import SignedIn
from failwell.people.sign_in import IDENTITY

SRC = Path(__file__).resolve().parents[1] / "src" / "failwell"
WEB_KIT = ["web/templating.py", "web/forms/base.py", "web/auth.py", "web/responses.py", "web/markdown.py"]
HIGHER_FLOORS = {
    "people",
    "catalogue",
    "changes",
    "failures",
    "reviews",
    "actions",
    "recurrence",
    "broadcast",
    "insights",
}

ADA = Actor(person_id=7, name="Ada", role=Role.practitioner)


@pytest.fixture
def unwired(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process as it is before bootstrap(): no handlers, no identity provider."""
    monkeypatch.setattr(events, "_handlers", defaultdict(list))
    monkeypatch.setattr(events, "_wired", False)
    monkeypatch.setattr(identity, "_provider", None)
    monkeypatch.setattr(composition, "_done", False)


@pytest.fixture
def connection() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        yield conn
    engine.dispose()


class FakeIdentity:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def authenticate_token(self, connection: Connection, secret: str) -> Actor | None:
        self.asked.append(secret)
        return ADA if secret == "fw_good" else None

    def authenticate_web_session(self, connection: Connection, secret: str) -> SignedIn | None:
        self.asked.append(secret)
        return SignedIn(ADA, "ada@example.org", "csrf") if secret == "cookie" else None


def _handler_counts() -> dict[str, int]:
    return {name: len(handlers) for name, handlers in events._handlers.items()}


def test_bootstrap_is_idempotent() -> None:
    composition.bootstrap()  # conftest has already called it once
    counts, provider = _handler_counts(), identity._provider
    composition.bootstrap()
    assert _handler_counts() == counts
    assert identity._provider is provider is IDENTITY
    assert events._wired


def test_emit_before_wiring_raises(unwired: None) -> None:
    event = events.DomainEvent(events.FAILURE_REPORTED, subject_id=1)
    with pytest.raises(events.NotWired, match="bootstrap"):
        events.emit(Session(), ADA, event)


def test_bootstrap_wires_events_and_identity_once(unwired: None) -> None:
    composition.bootstrap()
    assert events._wired
    assert identity._provider is IDENTITY
    counts = _handler_counts()
    assert counts and all(n >= 1 for n in counts.values())
    composition._done = False  # even a forced second wiring registers nothing twice
    composition.bootstrap()
    assert _handler_counts() == counts


def test_identity_port_refuses_without_a_provider(unwired: None, connection: Connection) -> None:
    with pytest.raises(identity.IdentityNotWired, match="bootstrap"):
        identity.authenticate_token(connection, "fw_anything")
    with pytest.raises(RuntimeError, match="no identity provider"):
        identity.authenticate_web_session(connection, "cookie")


def test_identity_port_answers_through_the_installed_provider(unwired: None, connection: Connection) -> None:
    fake = FakeIdentity()
    assert identity.use(fake) is None
    assert identity.authenticate_token(connection, "fw_good") == ADA
    assert identity.authenticate_token(connection, "fw_bad") is None
    me = identity.authenticate_web_session(connection, "cookie")
    assert me is not None and me.actor == ADA and me.csrf_token == "csrf"
    assert identity.authenticate_web_session(connection, "stale") is None
    assert fake.asked == ["fw_good", "fw_bad", "cookie", "stale"]
    assert identity.use(None) is fake


def test_people_service_still_exports_signed_in() -> None:
    from failwell.people import service

    assert service.SignedIn is SignedIn


def _failwell_imports(path: Path) -> set[str]:
    """Every failwell module a file imports, at any depth (lazy imports count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found.update(name for name in names if name.startswith("failwell."))
    return found


@pytest.mark.parametrize("module", ["deps.py", *WEB_KIT])
def test_request_plumbing_and_web_kit_import_no_slice(module: str) -> None:
    offending = {name for name in _failwell_imports(SRC / module) if name.split(".")[1] in HIGHER_FLOORS}
    assert not offending, f"{module} imports a higher floor: {sorted(offending)}"


def test_emit_all_runs_a_bulk_form_once_and_other_handlers_per_event(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events, "_handlers", defaultdict(list))
    monkeypatch.setattr(events, "_bulk_forms", {})
    seen: list[tuple[str, object]] = []

    def one(_s: Session, _a: Actor, event: events.DomainEvent) -> None:
        seen.append(("one", event.subject_id))

    def plain(_s: Session, _a: Actor, event: events.DomainEvent) -> None:
        seen.append(("plain", event.subject_id))

    def many(_s: Session, _a: Actor, happened: Sequence[events.DomainEvent]) -> None:
        seen.append(("many", [e.subject_id for e in happened]))

    events.wire([(events.FAILURE_REPORTED, one), (events.FAILURE_REPORTED, plain)])
    events.wire_bulk_forms([(one, many)])
    reported = [events.DomainEvent(events.FAILURE_REPORTED, i) for i in (1, 2)]
    events.emit_all(Session(), ADA, reported)
    assert seen == [("many", [1, 2]), ("plain", 1), ("plain", 2)]
    seen.clear()
    events.emit(Session(), ADA, reported[0])  # one event: the handler itself
    assert seen == [("one", 1), ("plain", 1)]
    with pytest.raises(ValueError, match="one name"):
        events.emit_all(Session(), ADA, [reported[0], events.DomainEvent(events.FAILURE_UPDATED, 1)])
