"""What the accessibility crawl (test_accessibility.py) visits, and what it checks there.

The demo site: the demo organisation, with one more integration, served by a real server, and
a record of each kind to fill in the main pages' {names}. The checks run with JavaScript in each
page (accessible names, alt texts, one h1, named buttons and links, unique ids, a language; at
desktop and laptop widths no field or table cut short; at a phone's width nothing sticking out
sideways); the script that records content security policy violations and htmx requests from a
page's first script on, and the wait for the fragments a page loads to settle.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from playwright.sync_api import Page
from sqlalchemy import select

from failwell.actions.models import CorrectiveAction
from failwell.authz import SYSTEM
from failwell.catalogue.models import Service
from failwell.db import Database
from failwell.demo.loader import load_demo
from failwell.demo.organisation import DEMO_LOGIN_EMAIL
from failwell.enums import ActionStatus, CycleStatus, IdeaStatus
from failwell.ideas.models import Idea
from failwell.integrations import service as integrations
from failwell.integrations.models import Integration, IntegrationKind
from failwell.integrations.receive import receive
from failwell.integrations.schemas import IntegrationIn, RuleIn
from failwell.people.models import Person, Team
from failwell.recognition.models import AwardCycle
from failwell.recurrence.models import Problem
from failwell.reviews.models import FactorCategory, Review
from failwell.surveys.models import SurveyCampaign
from support import serving

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
LAPTOP = {"width": 1024, "height": 768}  # a small laptop's, or a desktop window beside another

# Every main page; {names} are filled in from the demo organisation.
PAGES = [
    "/",
    "/failures",
    "/failures/new",
    "/failures/{failure}",
    "/failures/{failure}/edit",
    "/failures/{failure}/review",
    "/actions",
    "/lessons",
    "/reviews?status=waiting",
    "/services",
    "/services/{service}",
    "/teams",
    "/teams/{team}",
    "/admin",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/{person}",
    "/admin/tokens",
    "/admin/factors",
    "/admin/factors/{category}",
    "/admin/severity",
    "/admin/review-template",
    "/admin/broadcast",
    "/admin/broadcast/deliveries",
    "/admin/audit",
    "/account",
    "/problems",
    "/problems/{problem}",
    "/subscriptions",
    "/digest",
    "/metrics",
    "/admin/integrations",
    "/admin/integrations/{integration}",
    "/admin/integration-deliveries",
    "/surveys",
    "/surveys/{survey}/results",
    "/admin/sso",
    "/ideas",
    "/ideas/new",
    "/ideas/{idea}",
    "/failures/{proposal_failure}",
    "/recognition",
    "/recognition/thank",
    "/recognition/thank?thanked_kind=failure&thanked_id={failure}",
    "/recognition/cycles/{open_cycle}",
    "/recognition/cycles/{announced_cycle}",
    "/admin/awards",
]

# The checks, run in the page: a list of problems, each a readable sentence.
_CHECKS = """() => {
  const problems = [];
  const classes = e => typeof e.className === 'string' && e.className.trim()
    ? '.' + e.className.trim().split(/\\s+/).join('.') : '';
  const describe = e => {
    let text = e.tagName.toLowerCase();
    if (e.id) text += '#' + e.id;
    if (e.getAttribute('name')) text += '[name=' + e.getAttribute('name') + ']';
    if (e.getAttribute('href')) text += '[href=' + e.getAttribute('href') + ']';
    return text + classes(e);
  };
  const visible = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length)
    && getComputedStyle(e).visibility !== 'hidden';
  const texts = ids => ids.split(/\\s+/).map(id => document.getElementById(id))
    .filter(Boolean).map(x => x.textContent.trim()).join(' ').trim();
  const nameOf = e => {
    const aria = (e.getAttribute('aria-label') || '').trim();
    if (aria) return aria;
    const by = e.getAttribute('aria-labelledby');
    if (by && texts(by)) return texts(by);
    if (e.labels && [...e.labels].some(l => l.textContent.trim())) return 'label';
    return '';
  };

  if (!(document.documentElement.getAttribute('lang') || '').trim()) problems.push('html has no lang');

  const h1s = document.querySelectorAll('h1');
  if (h1s.length !== 1) problems.push(`${h1s.length} h1 elements (want exactly 1): ` +
    [...h1s].map(h => JSON.stringify(h.textContent.trim())).join(', '));

  document.querySelectorAll('input, select, textarea').forEach(e => {
    const type = (e.getAttribute('type') || '').toLowerCase();
    if (e.tagName === 'INPUT' && ['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) return;
    if (!visible(e)) return;
    if (!nameOf(e))
      problems.push(`${describe(e)} has no accessible name (no label, aria-label or aria-labelledby)`);
  });

  document.querySelectorAll('img').forEach(e => {
    if (!e.hasAttribute('alt')) problems.push(`${describe(e)} (src=${e.getAttribute('src')}) has no alt`);
  });

  document.querySelectorAll('button, a[href]').forEach(e => {
    const text = (e.textContent || '').trim();
    const alts = [...e.querySelectorAll('img[alt]')].some(i => i.alt.trim());
    const aria = (e.getAttribute('aria-label') || '').trim();
    const by = e.getAttribute('aria-labelledby');
    if (!text && !alts && !aria && !(by && texts(by)))
      problems.push(`${describe(e)} has no text or aria-label`);
  });

  const seen = new Map();
  document.querySelectorAll('[id]').forEach(e => seen.set(e.id, (seen.get(e.id) || 0) + 1));
  for (const [id, n] of seen) if (n > 1) problems.push(`id "${id}" is used ${n} times`);
  return problems;
}"""

# At desktop width, with every <details> open: no field shows its hint or chosen option cut
# short, and no table hides columns behind a sideways scroll (both seen: a search hint cut to
# "Words in any orde", the actions board's Overdue column).
_DESKTOP_FIT = """() => {
  const problems = [];
  const pen = document.createElement('canvas').getContext('2d');
  const room = e => {  // also sets the pen's font to the field's
    const s = getComputedStyle(e);
    pen.font = s.font;
    return e.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
  };
  for (const e of document.querySelectorAll('main input[placeholder], main select')) {
    if (!(e.offsetWidth || e.offsetHeight) || e.multiple) continue;
    const select = e.tagName === 'SELECT';
    const text = (select ? (e.selectedOptions[0]?.textContent || '') : e.placeholder).trim();
    const space = room(e) - (select ? 20 : 0);  // a select's own arrow
    const width = pen.measureText(text).width;
    if (width > space + 1)
      problems.push(`${e.name || e.id} shows "${text}" cut (${Math.round(width)} px in ${Math.round(space)})`)
  }
  const heading = w => w.querySelector('caption')?.textContent.trim()
    || w.closest('section, aside')?.querySelector('h2')?.textContent.trim() || '?';
  for (const w of document.querySelectorAll('main .table-wrap'))
    if (w.offsetWidth && w.scrollWidth > w.clientWidth + 1)
      problems.push(`a table scrolls sideways (${w.scrollWidth} px in ${w.clientWidth}): ${heading(w)}`);
  return problems;
}"""

# At a phone's width: the widest elements that stick out (not those inside a scrolling .table-wrap).
_OVERFLOW = """() => {
  const scrolled = e => e.parentElement && e.parentElement.closest('.table-wrap');
  const wide = e => !scrolled(e) && e.getBoundingClientRect().right > window.innerWidth + 1;
  const classes = e => typeof e.className === 'string' && e.className.trim()
    ? '.' + e.className.trim().split(/\\s+/).join('.') : '';
  const culprits = [...document.querySelectorAll('body *')]
    .filter(e => wide(e) && ![...e.children].some(wide))
    .slice(0, 5)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + classes(e)
      + ` (right edge at ${Math.round(e.getBoundingClientRect().right)}px)`);
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, culprits};
}"""


@dataclass
class DemoSite:
    url: str
    db: Database
    ids: dict[str, int]


def _ids(db: Database) -> dict[str, int]:
    """A page of each kind: a failure with a review (so the review editor opens), and so on."""
    with db.session() as s:
        found = {
            "failure": s.scalar(select(Review.failure_id).order_by(Review.id).limit(1)),
            "service": s.scalar(select(Service.id).order_by(Service.id).limit(1)),
            "team": s.scalar(select(Team.id).order_by(Team.id).limit(1)),
            "person": s.scalar(
                select(Person.id).where(Person.email != DEMO_LOGIN_EMAIL).order_by(Person.id).limit(1)
            ),
            "category": s.scalar(select(FactorCategory.id).order_by(FactorCategory.id).limit(1)),
            "problem": s.scalar(select(Problem.id).order_by(Problem.id).limit(1)),
            "survey": s.scalar(select(SurveyCampaign.id).order_by(SurveyCampaign.closes_on.desc()).limit(1)),
            # An open idea (the decide forms show) and the failure holding a proposed action.
            "idea": s.scalar(
                select(Idea.id).where(Idea.status == IdeaStatus.open).order_by(Idea.id).limit(1)
            ),
            # An award cycle open for nominations (the nominate form) and one announced.
            "open_cycle": s.scalar(
                select(AwardCycle.id).where(AwardCycle.status == CycleStatus.nominating).limit(1)
            ),
            "announced_cycle": s.scalar(
                select(AwardCycle.id).where(AwardCycle.status == CycleStatus.announced).limit(1)
            ),
            "integration": s.scalar(select(Integration.id).order_by(Integration.id).limit(1)),
            "proposal_failure": s.scalar(
                select(CorrectiveAction.failure_id)
                .where(CorrectiveAction.status == ActionStatus.proposed)
                .limit(1)
            ),
        }
    # The demo organisation may record no problem (recurrence) yet: that page is then skipped.
    found["problem"] = found.get("problem") or 0
    missing = [k for k, v in found.items() if v is None]
    assert not missing, f"the demo organisation has no {missing}"
    return {k: int(v) for k, v in found.items() if v is not None}


def _add_an_integration(db: Database) -> None:
    """The demo's integrations hold only deliveries no rule maps yet: one more, with a rule, a
    delivery it maps and one it cannot, so the pages show both verdicts and a replay button."""
    with db.session() as s:
        integration, secret = integrations.create_integration(
            s, SYSTEM, IntegrationIn(kind=IntegrationKind.generic, name="ci")
        )
        service_name = s.scalar(select(Service.name).order_by(Service.id).limit(1))
        rule = RuleIn(match_field="repository", pattern="acme/*", service=service_name)
        integrations.create_rule(s, SYSTEM, integration.id, rule)
        integration_id = integration.id
    verdicts = []
    for repository in ("acme/app", "elsewhere/app"):
        body = json.dumps({"repository": repository, "version": "1.0.0", "outcome": "succeeded"})
        headers = {"authorization": f"Bearer {secret}", "content-type": "application/json"}
        verdicts.append(receive(db, integration_id, IntegrationKind.generic, headers, body.encode()).verdict)
    assert [v.value for v in verdicts] == ["accepted", "unmapped"]


def _demo_site(url: str) -> Iterator[DemoSite]:
    db = Database(url, pool_size=4)
    try:
        load_demo(db)
        _add_an_integration(db)
        with serving(url, db) as base:
            yield DemoSite(base, db, _ids(db))
    finally:
        db.dispose()


# Recorded in the page from its first script on, so nothing that happens while loading is missed:
# content security policy violations, and htmx requests in flight (see _settled).
_RECORD_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} ` +
    `(${e.sourceFile || ''}:${e.lineNumber || ''})`);
});
window.__htmxInFlight = 0;
document.addEventListener('htmx:beforeRequest', () => { window.__htmxInFlight++; });
document.addEventListener('htmx:afterRequest', () => { window.__htmxInFlight--; });
"""
# htmx marks what it is swapping or settling until the new content is in place (and has started
# the fragments it loads in turn), and fires afterRequest only once the swap has begun.
_QUIET = """() => document.readyState === 'complete' && window.__htmxInFlight === 0
  && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"""


def _settled(page: Page) -> None:
    """Waits for the fragments loaded with hx-trigger="load": the page has loaded, no htmx
    request is in flight and nothing is being swapped in. (Playwright's "networkidle" waits a
    fixed half second of silence on every page, which was most of this crawl's time.)"""
    page.wait_for_function(_QUIET, polling=25)
    empty = page.evaluate(
        """() => [...document.querySelectorAll('[hx-trigger^="load"]')]
          .filter(e => !e.innerHTML.trim()).map(e => e.getAttribute('hx-get') || e.tagName)"""
    )
    assert not empty, f"{page.url}: fragments still empty once settled: {empty}"


def _csp_violations(page: Page, console: list[str]) -> list[str]:
    found = [*page.evaluate("() => window.__cspViolations || []"), *console]
    console.clear()
    return found


def _open_everything(page: Page) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
