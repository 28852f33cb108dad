"""/docs and /redoc work without internet: every asset they name is served by the app itself."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

# src= and href= values in the page, and any absolute URL written in its inline script.
ATTRIBUTE_URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")
ABSOLUTE_URL = re.compile(r"""https?://[^\s"'<>)]+""")


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_name_only_same_origin_assets_and_each_answers(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert ABSOLUTE_URL.findall(page.text) == [], "no asset may come from another host"
    assert "default-src 'self'" in page.headers["content-security-policy"]

    assets = ATTRIBUTE_URL.findall(page.text)
    assert any(a.endswith(".js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/vendor/") or asset == "/static/favicon.svg", asset
        assert client.get(asset).status_code == 200, asset
    assert "/api/v1/openapi.json" in page.text
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_swagger_ui_does_not_ask_the_public_validator(client: TestClient) -> None:
    assert '"validatorUrl": null' in client.get("/docs").text


def test_swagger_oauth2_redirect_page_is_still_served(client: TestClient) -> None:
    assert client.get("/docs/oauth2-redirect").status_code == 200


def test_vendored_bundles_keep_their_licences(client: TestClient) -> None:
    for name in ("swagger-ui-LICENSE.txt", "swagger-ui-NOTICE.txt", "redoc-LICENSE.txt"):
        assert client.get(f"/static/vendor/{name}").status_code == 200, name


def test_every_schema_reference_in_the_openapi_document_resolves(client: TestClient) -> None:
    # ReDoc stops at the first dangling $ref ("Invalid reference token") and shows nothing else.
    document = client.get("/api/v1/openapi.json").json()
    names = set(document["components"]["schemas"])
    refs = set(re.findall(r'"\$ref":\s*"#/components/schemas/([^"]+)"', json.dumps(document)))
    assert refs - names == set()
    assert "ProblemDetails" in names
