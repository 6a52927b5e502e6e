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
    assert body["status"] == "error" and body["db"].startswith("write failed")


def test_a_database_that_cannot_write_is_503(app, client, session):
    from sqlalchemy import func, select

    from models.db.heartbeat import Heartbeat

    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").status_code == 200  # within a second: no second write
    assert session.scalar(select(func.count()).select_from(Heartbeat)) == 1
    session.rollback()
    # a read-only database answers SELECT 1 but takes no writes
    engine = services_of(app).engine

    def rename(old: str, new: str) -> None:
        with engine.connect() as connection:
            connection.exec_driver_sql(f"ALTER TABLE {old} RENAME TO {new}")
            connection.commit()

    rename("heartbeat", "heartbeat_away")  # as good as a refused write
    try:
        app.extensions["partybot.health"].at -= 5  # the cached answer is stale
        response = client.get("/healthz")
    finally:
        rename("heartbeat_away", "heartbeat")
    assert response.status_code == 503
    assert response.get_json()["db"].startswith("write failed")
