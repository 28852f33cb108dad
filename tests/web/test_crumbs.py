"""Every trail of links above a page's title reads the same, the parts apart by a single right-pointing
angle quotation mark (U+203A), as in the failure page's "Failures \u203a #12"."""

from __future__ import annotations

import re

from failwell.web.templating import TEMPLATE_DIR

# A paragraph that starts with a link back to a list, above a page's <h1>.
_TRAIL = re.compile(r'<p class="[^"]*">\s*<a href="/[a-z-]*">[A-Z][a-z]+</a>\s*(\S)')


def test_crumb_trails_are_alike() -> None:
    trails = {}
    for path in sorted(TEMPLATE_DIR.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        for match in _TRAIL.finditer(source):
            line = source[match.start() : source.index("</p>", match.start())]
            trails[f"{path.relative_to(TEMPLATE_DIR)}: {line}"] = match.group(1)
    assert len(trails) >= 8, trails  # the failure, review, problem, idea, service and team pages
    assert {t for t, sep in trails.items() if sep != "\u203a"} == set()
    assert all("fw-crumbs" in t for t in trails), [t for t in trails if "fw-crumbs" not in t]
