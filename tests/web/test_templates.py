"""Every template parses, and every form's CSRF token can actually reach the form."""

from __future__ import annotations

import re

import pytest

from failwell.web.templating import TEMPLATE_DIR, env

TEMPLATES = sorted(p.relative_to(TEMPLATE_DIR).as_posix() for p in TEMPLATE_DIR.rglob("*.html"))


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_parses(name: str) -> None:
    env.get_template(name)


@pytest.mark.parametrize("name", TEMPLATES)
def test_csrf_macro_is_imported_with_context(name: str) -> None:
    # Without "with context" the csrf() macro renders an empty token: every POST would fail.
    source = (TEMPLATE_DIR / name).read_text(encoding="utf-8")
    for statement in re.findall(r"{%-?\s*from\s+[\"']macros\.html[\"']\s+import[^%]*%}", source):
        if re.search(r"\bcsrf\b", statement):
            assert "with context" in statement, f"{name}: {statement}"
