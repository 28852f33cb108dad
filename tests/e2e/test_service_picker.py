"""The service picker: a searchable, keyboard- and touch-friendly choice over the plain
multi-select of the report and edit forms (failure-forms.js), sending what the select sends."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from failwell.authz import SYSTEM
from failwell.catalogue import service as catalogue
from failwell.catalogue.schemas import ServiceIn
from failwell.db import Database
from failwell.enums import Role
from failwell.failures.models import Failure
from support import ON_SQLITE_ONLY, Org

# Browser behaviour and layout: on SQLite only (see support.ON_SQLITE_ONLY).
pytestmark = ON_SQLITE_ONLY


def add_services(db: Database, org: Org, *names: str) -> None:
    with db.session(write=True) as s:
        for name in names:
            catalogue.create_service(s, SYSTEM, ServiceIn(name=name, owner_team=org.other_team))


def services_of(db: Database, failure_id: int) -> list[str]:
    with db.session() as s:
        failure = s.get(Failure, failure_id)
        assert failure is not None
        return sorted(svc.name for svc in failure.services)


def test_choose_services_by_typing_keys_and_taps(
    sign_in_as: Callable[[Role], Page], db: Database, org: Org
) -> None:
    add_services(db, org, "search", "search-indexer", "ledger")
    page = sign_in_as(Role.practitioner)
    page.goto("/failures/new")
    box = page.get_by_role("combobox", name="Which service(s)?")
    expect(page.locator("select#services")).to_be_hidden()  # the plain select stays, hidden

    box.fill("sea")  # filters as it is typed
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option")).to_have_text(["search", "search-indexer"])
    box.press("ArrowDown")
    box.press("Enter")  # the keyboard adds the active one
    expect(page.get_by_role("button", name="Remove search", exact=True)).to_be_visible()
    box.fill("led")
    listbox.get_by_role("option", name="ledger").dispatch_event("pointerdown")  # a tap
    expect(page.get_by_role("button", name="Remove ledger")).to_be_visible()
    box.press("Escape")
    expect(listbox).to_be_hidden()
    box.fill("")
    box.press("Backspace")  # in the empty box: removes the last chip (ledger, search)
    expect(page.get_by_role("button", name="Remove search", exact=True)).to_have_count(0)
    box.fill("pay")
    box.press("Enter")  # Enter without an arrow takes the first match
    page.get_by_role("button", name="Remove ledger").click()  # a chip's button removes
    assert page.locator("select#services").evaluate("s => [...s.selectedOptions].map(o => o.value)") == [
        org.service
    ]

    page.get_by_label("What happened?").fill("Checkout slow")
    page.get_by_role("button", name="Report the failure").click()
    expect(page.get_by_role("status").first).to_contain_text("Thank you")
    failure_id = int(page.url.rstrip("/").rsplit("/", 1)[1].split("#")[0])
    assert services_of(db, failure_id) == [org.service]
