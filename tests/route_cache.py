"""One build of each API route for the whole test session, however many apps the tests create.

FastAPI builds an included router's routes lazily, per app, on the first request that reaches
them: pydantic models and dependency trees for every route, about 0.3 s of CPU a test app. Tests
create an app per test (the client and pages fixtures, every live server), so this build was
the largest single cost of the suite. The routers are module-level and included the same way
by every create_app, so the built route is the same for every app but one field: the app
consulted for dependency_overrides, which failwell never sets. An app that has overrides when
its routes are built is served a fresh build, as before.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import routing

_built: dict[tuple[int, str], tuple[Any, Any]] = {}  # key -> (route kept alive, its build)


def _key(route: Any, include_context: Any) -> tuple[int, str]:
    # Everything of the inclusion that shapes the build, the app that included it aside.
    context = dataclasses.replace(include_context, dependency_overrides_provider=None)
    return id(route), repr(context)


def install() -> None:
    """Makes FastAPI reuse a route's build from any earlier app (idempotent)."""
    original = routing._EffectiveRouteContext.from_api_route.__func__  # type: ignore[attr-defined]
    if getattr(original, "_failwell_cached", False):
        return

    def from_api_route(cls: Any, *, original_route: Any, include_context: Any) -> Any:
        provider = include_context.dependency_overrides_provider
        if getattr(provider, "dependency_overrides", None):
            return original(cls, original_route=original_route, include_context=include_context)
        key = _key(original_route, include_context)
        if key not in _built:
            build = original(cls, original_route=original_route, include_context=include_context)
            _built[key] = (original_route, build)
        return _built[key][1]

    from_api_route._failwell_cached = True  # type: ignore[attr-defined]
    routing._EffectiveRouteContext.from_api_route = classmethod(from_api_route)  # type: ignore[assignment,method-assign]
