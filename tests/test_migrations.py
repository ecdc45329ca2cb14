"""The migrations build, from an empty database, exactly the schema the code expects, on
every configured database; and they go down and up again without loss."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from cases.migrate import alembic_config, upgrade


def test_empty_database_migrates_to_the_models(migrated_engine: Engine) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with migrated_engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == head
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == [], f"models and migrations disagree: {differences}"


def test_upgrade_is_idempotent_and_keeps_rows(migrated_engine: Engine) -> None:
    with migrated_engine.begin() as conn:
        conn.execute(text("DELETE FROM holiday"))
        conn.execute(text("INSERT INTO holiday (day, name_fr, name_ar, is_holiday) "
                          "VALUES ('2026-03-20', 'Aïd al-Fitr', 'عيد الفطر', true)"))
    upgrade(migrated_engine)
    with migrated_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM holiday")).scalar() == 1
    assert "case_event" in inspect(migrated_engine).get_table_names()
    with migrated_engine.begin() as conn:
        conn.execute(text("DELETE FROM holiday"))
