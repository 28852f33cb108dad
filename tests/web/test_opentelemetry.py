"""FAILWELL_OPENTELEMETRY: FastAPI's own OpenTelemetry spans, off unless asked for."""

from __future__ import annotations

from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from failwell.app import create_app
from failwell.db import Database
from failwell.settings import Settings


def _global_exporter() -> InMemorySpanExporter:
    """As an SDK's auto-instrumentation does: a global provider, which is set once per process."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
        trace.set_tracer_provider(provider)
    return _EXPORTER


_EXPORTER = InMemorySpanExporter()


def test_requests_are_traced_only_when_opentelemetry_is_on(db: Database, database_url: str) -> None:
    exporter = _global_exporter()
    exporter.clear()
    spans: dict[bool, list[str]] = {}
    for on in (False, True):
        app = create_app(Settings(database_url=database_url, opentelemetry=on), db)
        with TestClient(app) as client:
            assert client.get("/healthz").status_code == 200
        spans[on] = [span.name for span in exporter.get_finished_spans()]
        exporter.clear()
    assert spans[False] == []
    assert any("/healthz" in name for name in spans[True]), spans[True]
    assert Settings().opentelemetry is False
