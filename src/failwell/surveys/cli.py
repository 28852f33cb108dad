"""`failwell surveys list|create|open|close|results`: culture surveys from a terminal (through the server)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from failwell.cli_support import JsonOption, UrlOption, api, console, print_json, print_table

surveys_app = typer.Typer(help="Culture surveys (Westrum, psychological safety).", no_args_is_help=True)


def _row(c: dict[str, Any]) -> tuple[Any, ...]:
    return (
        c["id"],
        c["status"],
        f"{c['opens_on']} to {c['closes_on']}",
        ", ".join(c["teams"]) or "organisation",
        f"{c['answered']}/{c['invited']}",
        c["title"],
    )


COLUMNS = ["id", "status", "open", "scope", "answered", "title"]


@surveys_app.command("list")
def list_campaigns(url: UrlOption = None, as_json: JsonOption = False) -> None:
    """List survey campaigns, newest first."""
    with api(url) as client:
        campaigns = client.request("GET", "/surveys")
    if as_json:
        print_json(campaigns)
    else:
        print_table("Survey campaigns", COLUMNS, [_row(c) for c in campaigns])


@surveys_app.command("create")
def create(
    title: str,
    opens_on: Annotated[str, typer.Option("--opens", help="First day (YYYY-MM-DD).")],
    closes_on: Annotated[str, typer.Option("--closes", help="Last day (YYYY-MM-DD).")],
    instrument: Annotated[
        list[str] | None, typer.Option(help="westrum and/or safety (repeat); default both.")
    ] = None,
    item: Annotated[list[str] | None, typer.Option(help="A statement of your own (repeat).")] = None,
    team: Annotated[list[str] | None, typer.Option(help="A team to ask (repeat); default everyone.")] = None,
    free_text: Annotated[
        bool, typer.Option("--free-text", help="Ask what would make speaking up safer.")
    ] = False,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a draft campaign (practice owners)."""
    body: dict[str, Any] = {
        "title": title,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "custom_items": item or [],
        "teams": team or [],
        "free_text": free_text,
    }
    if instrument:
        body["instruments"] = instrument
    with api(url) as client:
        campaign = client.request("POST", "/surveys", json=body)
    if as_json:
        print_json(campaign)
    else:
        console.print(f"Campaign {campaign['id']} created as a draft: {campaign['title']}", highlight=False)


def _transition(verb: str, campaign_id: int, url: str | None, as_json: bool) -> None:
    with api(url) as client:
        campaign = client.request("POST", f"/surveys/{campaign_id}/{verb}")
    if as_json:
        print_json(campaign)
    else:
        console.print(
            f"Campaign {campaign['id']} is {campaign['status']}: {campaign['invited']} invited, "
            f"{campaign['answered']} answered.",
            highlight=False,
        )


@surveys_app.command("open")
def open_campaign(campaign_id: int, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Open a draft: everyone asked gets a personal one-time link."""
    _transition("open", campaign_id, url, as_json)


@surveys_app.command("close")
def close_campaign(campaign_id: int, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Close a campaign: no more answers, and the results appear."""
    _transition("close", campaign_id, url, as_json)


def _mean(group: dict[str, Any], key: str) -> str:
    for scale in group.get("scales", []):
        if scale["key"] == key:
            kind = f" ({scale['westrum_type']})" if scale.get("westrum_type") else ""
            return f"{scale['mean']:.2f}{kind}"
    return "withheld" if not group["shown"] else "-"


@surveys_app.command("results")
def results(campaign_id: int, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Scale means per organisation and team (small and derivable groups withheld)."""
    with api(url) as client:
        found = client.request("GET", f"/surveys/{campaign_id}/results")
    if as_json:
        print_json(found)
        return
    if not found["available"]:
        console.print(found["note"], highlight=False)
        return
    scales = found["campaign"]["instruments"]
    groups = [g for g in [found["organisation"], *found["groups"]] if g is not None]
    rows = [
        (g["label"], g["respondents"] if g["shown"] else "withheld", *(_mean(g, s) for s in scales))
        for g in groups
    ]
    print_table(f"Results of '{found['campaign']['title']}'", ["group", "respondents", *scales], rows)
    console.print(found["note"], highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(surveys_app, name="surveys")
