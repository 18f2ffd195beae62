"""Migrations and the health check, on SQLite and (when set) PostgreSQL."""

import pytest
from sqlalchemy import inspect, text

from webapp import db

pytestmark = pytest.mark.db


def test_migrations_go_up_and_down(make_app, database_url):
    app = make_app(database_url)
    engine = app.extensions["db_engine"]
    db.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    db.downgrade(engine, "base")
    db.upgrade(engine)
    assert "alembic_version" in inspect(engine).get_table_names()


def test_upgrade_command(make_app, database_url):
    app = make_app(database_url)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_health_when_the_database_answers(make_app, database_url):
    response = make_app(database_url).test_client().get("/health")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok\n")


def test_health_when_the_database_does_not_answer(make_app, tmp_path):
    app = make_app("postgresql+psycopg://127.0.0.1:9/nothing?connect_timeout=1")
    response = app.test_client().get("/health")
    assert (response.status_code, response.get_data(as_text=True)) == (503, "unavailable\n")
