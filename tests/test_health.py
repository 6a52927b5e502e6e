"""GET /healthz."""

from __future__ import annotations

from bot import create_app
from bot.services import services_of


def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "db": "ok"}


def test_database_unreachable_is_503(settings, tmp_path):
    (tmp_path / "a-directory.db").mkdir()
    app = create_app(settings.with_overrides(database_url=f"sqlite:///{tmp_path}/a-directory.db"))
    response = app.test_client().get("/healthz")
    services_of(app).dispose()
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and body["db"].startswith("unreachable")
