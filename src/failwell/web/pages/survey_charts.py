"""Chart.js configurations of the survey results page (the numbers are in tables beside them)."""

from __future__ import annotations

import textwrap
from typing import Any

from failwell.insights.culture import CultureResults
from failwell.surveys.instruments import INSTRUMENTS, SCALE_LABELS

COLOURS = ("#2f6fb2", "#c2571a", "#3c8d5a", "#8a4fb0", "#b0912f", "#4f8fa8", "#a83f5e")
# From red (strongly disagree) through grey to green (strongly agree): a diverging scale.
ANSWER_COLOURS = ("#b2182b", "#d6604d", "#f4a582", "#bababa", "#92c5de", "#4393c3", "#2166ac")


def _axis(max_value: float, title: str) -> dict[str, Any]:
    return {"min": 1 if max_value == 7 else 0, "max": max_value, "title": {"display": True, "text": title}}


def statement_label(text: str, width: int = 48) -> str:
    """A statement short enough for a bar's label, cut at a word ('westrum 1' said nothing)."""
    return textwrap.shorten(text, width, placeholder="…")


def results_charts(results: CultureResults) -> dict[str, dict[str, Any]]:
    if not results.available or results.organisation is None:
        return {}
    groups = [g for g in [results.organisation, *results.groups] if g.shown]
    scales = results.campaign.instruments
    charts: dict[str, dict[str, Any]] = {
        "scales": {
            "type": "bar",
            "data": {
                "labels": [g.label for g in groups],
                "datasets": [
                    {
                        "label": INSTRUMENTS[key].name,
                        "data": [next((s.mean for s in g.scales if s.key == key), None) for g in groups],
                        "backgroundColor": COLOURS[i % len(COLOURS)],
                    }
                    for i, key in enumerate(scales)
                ],
            },
            "options": {"scales": {"y": _axis(7, "Mean (1-7)")}},
        }
    }
    campaigns = list(dict.fromkeys((p.campaign_id, p.closes_on) for p in results.trend))
    if len(campaigns) > 1:
        charts["trend"] = {
            "type": "line",
            "data": {
                "labels": [closes for _, closes in campaigns],
                "datasets": [
                    {
                        "label": f"{INSTRUMENTS[key].name}: organisation",
                        "data": [
                            next(
                                (
                                    p.organisation
                                    for p in results.trend
                                    if p.campaign_id == cid and p.scale == key
                                ),
                                None,
                            )
                            for cid, _ in campaigns
                        ],
                        "borderColor": COLOURS[i % len(COLOURS)],
                        "backgroundColor": COLOURS[i % len(COLOURS)],
                    }
                    for i, key in enumerate(scales)
                ],
            },
            "options": {"scales": {"y": _axis(7, "Mean (1-7)")}},
        }
    items = results.organisation.items
    if items:
        charts["items"] = {
            "type": "bar",
            "data": {
                "labels": [statement_label(item.text) for item in items],
                "datasets": [
                    {
                        "label": f"{value} {label.lower()}",
                        "data": [item.distribution[value - 1] for item in items],
                        "backgroundColor": ANSWER_COLOURS[value - 1],
                    }
                    for value, label in SCALE_LABELS.items()
                ],
            },
            "options": {
                "indexAxis": "y",
                "scales": {
                    "x": {"stacked": True, "title": {"display": True, "text": "Answers"}},
                    "y": {"stacked": True},
                },
            },
        }
    return charts
