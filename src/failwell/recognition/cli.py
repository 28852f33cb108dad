"""Recognition from a terminal (through the server): kudos from anyone; awards run by practice owners."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from failwell.cli_support import (
    JsonOption,
    PersonOption,
    TeamOption,
    UrlOption,
    api,
    console,
    person_id,
    print_json,
    print_table,
    show_page,
    team_id,
)
from failwell.enums import CycleStatus, RecipientKind, ThankedKind, VoterScope

recognition_app = typer.Typer(help="Recognition for learning: kudos and awards.", no_args_is_help=True)
kudos_app = typer.Typer(help="Thank a person, a team or an anonymous reporter.", no_args_is_help=True)
awards_app = typer.Typer(help="Awards: define, open, nominate, vote, announce.", no_args_is_help=True)


def _said(data: dict[str, Any], as_json: bool, line: str) -> None:
    if as_json:
        print_json(data)
    else:
        console.print(line, highlight=False)


@kudos_app.command("give")
def give(
    thanks: Annotated[ThankedKind, typer.Option("--for", help="What you thank them for.")],
    thanked_id: Annotated[int, typer.Option("--id", min=1, help="Its id.")],
    message: Annotated[str, typer.Option(help="What they did that helped others learn.")],
    person: PersonOption = None,
    team: TeamOption = None,
    anonymous_reporter: Annotated[
        bool, typer.Option("--anonymous-reporter", help="Thank the anonymous reporter (nobody is named).")
    ] = False,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Give kudos (any role)."""
    kind = (
        RecipientKind.anonymous_reporter
        if anonymous_reporter
        else RecipientKind.team
        if team is not None
        else RecipientKind.person
    )
    with api(url) as client:
        data = {
            "recipient_kind": kind.value,
            "person_id": person_id(client, person),
            "team_id": team_id(client, team),
            "thanked_kind": thanks.value,
            "thanked_id": thanked_id,
            "message": message,
        }
        kudos = client.request("POST", "/recognition/kudos", json=data)
    _said(kudos, as_json, f"Kudos {kudos['id']} to {kudos['recipient']['name']}: {kudos['thanked']['title']}")


@kudos_app.command("list")
def list_kudos(
    person: PersonOption = None,
    team: TeamOption = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Recent kudos, newest first."""
    with api(url) as client:
        params = {
            "person_id": person_id(client, person),
            "team_id": team_id(client, team),
            "limit": limit,
            "offset": offset,
        }
    show_page(
        url,
        "/recognition/kudos",
        params,
        as_json,
        "Kudos",
        ["id", "to", "for", "from", "message"],
        lambda k: (
            k["id"],
            k["recipient"]["name"],
            f"{k['thanked']['kind']} {k['thanked']['id']}",
            k["giver"]["name"] if k["giver"] else "-",
            k["message"],
        ),
    )


@awards_app.command("list")
def list_awards(url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Awards and their cycles."""
    with api(url) as client:
        awards = client.request("GET", "/recognition/awards")
        cycles = client.request("GET", "/recognition/cycles", params={"limit": 200})
    if as_json:
        print_json({"awards": awards, "cycles": cycles["items"]})
        return
    print_table(
        "Awards",
        ["id", "name", "cycles", "description"],
        [(a["id"], a["name"], a["cycles"], a["description"]) for a in awards],
    )
    rows = [
        (
            c["id"],
            c["award_name"],
            c["title"],
            c["status"],
            c["winner"]["nominee"]["name"] if c["winner"] else "-",
        )
        for c in cycles["items"]
    ]
    print_table("Cycles", ["id", "award", "title", "status", "winner"], rows)


@awards_app.command("create")
def create(
    name: Annotated[str, typer.Option()],
    description: Annotated[str, typer.Option(help="What it rewards.")] = "",
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Define an award (practice owners)."""
    with api(url) as client:
        award = client.request("POST", "/recognition/awards", json={"name": name, "description": description})
    _said(award, as_json, f"Award {award['id']} is defined: {award['name']}")


@awards_app.command("open")
def open_cycle(
    award_id: int,
    title: Annotated[str, typer.Option(help="e.g. 'November 2026'.")],
    nominations_close: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    voting_closes: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    panel: Annotated[
        list[str] | None, typer.Option(help="A voter's e-mail or id (repeatable); default everyone.")
    ] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Open nominations for a round of an award (practice owners)."""
    with api(url) as client:
        data = {
            "title": title,
            "nominations_close_on": nominations_close,
            "voting_closes_on": voting_closes,
            "voters": (VoterScope.panel if panel else VoterScope.everyone).value,
            "panel_ids": [person_id(client, voter, "--panel") for voter in panel or []],
        }
        cycle = client.request("POST", f"/recognition/awards/{award_id}/cycles", json=data)
    _said(cycle, as_json, f"Cycle {cycle['id']} of {cycle['award_name']} is open for nominations.")


@awards_app.command("nominate")
def nominate(
    cycle_id: int,
    reason: Annotated[str, typer.Option()],
    person: PersonOption = None,
    team: TeamOption = None,
    link: Annotated[str, typer.Option(help="What they did: /failures/7 or a URL.")] = "",
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Nominate a person or a team (any role)."""
    kind = RecipientKind.team if team is not None else RecipientKind.person
    with api(url) as client:
        data = {
            "nominee_kind": kind.value,
            "person_id": person_id(client, person),
            "team_id": team_id(client, team),
            "reason": reason,
            "link": link,
        }
        n = client.request("POST", f"/recognition/cycles/{cycle_id}/nominations", json=data)
    _said(n, as_json, f"Nomination {n['id']} of {n['nominee']['name']} in cycle {cycle_id}.")


@awards_app.command("voting")
def voting(cycle_id: int, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Close nominations and open the vote (practice owners)."""
    with api(url) as client:
        cycle = client.request("POST", f"/recognition/cycles/{cycle_id}/voting")
    _said(cycle, as_json, f"Cycle {cycle_id} is {cycle['status']}.")


@awards_app.command("vote")
def vote(cycle_id: int, nomination: int, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Vote for a nomination (once per cycle)."""
    with api(url) as client:
        cycle = client.request(
            "POST", f"/recognition/cycles/{cycle_id}/votes", json={"nomination_id": nomination}
        )
    _said(cycle, as_json, f"Your vote in cycle {cycle_id} is for nomination {nomination}.")


@awards_app.command("announce")
def announce(
    cycle_id: int,
    winner: Annotated[int | None, typer.Option(help="The nomination, when votes are tied.")] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Close the vote and announce the winner (practice owners)."""
    with api(url) as client:
        cycle = client.request(
            "POST", f"/recognition/cycles/{cycle_id}/announce", json={"winner_nomination_id": winner}
        )
    name = cycle["winner"]["nominee"]["name"] if cycle["winner"] else "-"
    _said(cycle, as_json, f"{cycle['award_name']} ({cycle['title']}) goes to {name}.")


@awards_app.command("cycles")
def cycles(
    status: Annotated[CycleStatus | None, typer.Option()] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Award cycles, newest first."""
    show_page(
        url,
        "/recognition/cycles",
        {"status": status.value if status else None},
        as_json,
        "Award cycles",
        ["id", "award", "title", "status", "nominations"],
        lambda c: (c["id"], c["award_name"], c["title"], c["status"], len(c["nominations"])),
    )


def register(app: typer.Typer) -> None:
    recognition_app.add_typer(kudos_app, name="kudos")
    recognition_app.add_typer(awards_app, name="awards")
    app.add_typer(recognition_app, name="recognition")
