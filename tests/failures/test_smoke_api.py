from fastapi.testclient import TestClient

from support import Org


def test_report_and_read_back(client: TestClient, org: Org) -> None:
    r = client.post("/api/v1/failures", headers=org.headers(),
                    json={"title": "Checkout errors", "kind": "incident", "services": [org.service]})
    assert r.status_code == 201, r.text
    got = client.get(f"/api/v1/failures/{r.json()['id']}", headers=org.headers()).json()
    assert got["services"] == ["payments"]
    assert got["reporter"]["name"] == "Practice Owner"
