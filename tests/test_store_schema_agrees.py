"""supervision/store/schema.py (what the code reads and writes) and the Alembic migrations
(what a store really has) describe one schema: a store built by `alembic upgrade head` and
one built by `metadata.create_all` have the same tables, columns, types, nullability,
primary keys, foreign keys, unique constraints and indexes, on SQLite and on PostgreSQL;
and Alembic's own comparison of the migrated store with the metadata finds nothing."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect

from supervision.store import migrate
from supervision.store.schema import metadata
from tests.test_store import PG_URL, _fresh_pg_database, drop_pg_database


def _blank(kind: str, tmp_path, name: str) -> Engine:
    if kind == "sqlite":
        return create_engine(f"sqlite:///{tmp_path / name}")
    if not PG_URL:
        pytest.skip("no PostgreSQL here (SUPERVISION_TEST_PG_URL); CI runs these on one")
    return create_engine(_fresh_pg_database())


def _discard(eng: Engine) -> None:
    eng.dispose()
    if eng.dialect.name == "postgresql":
        drop_pg_database(eng.url.render_as_string(hide_password=False))


def _described(eng: Engine) -> dict:
    """Every table but Alembic's own, as the database itself reports it."""
    look = inspect(eng)
    tables = {}
    for table in sorted(set(look.get_table_names()) - {"alembic_version"}):
        tables[table] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"])
                        for c in look.get_columns(table)],
            "primary key": look.get_pk_constraint(table)["constrained_columns"],
            "foreign keys": sorted((tuple(f["constrained_columns"]), f["referred_table"],
                                    tuple(f["referred_columns"]))
                                   for f in look.get_foreign_keys(table)),
            "unique": sorted(tuple(u["column_names"])
                             for u in look.get_unique_constraints(table)),
            "indexes": sorted((tuple(i["column_names"]), bool(i["unique"]))
                              for i in look.get_indexes(table)),
        }
    return tables


@pytest.fixture(params=["sqlite", "postgresql"])
def kind(request):
    return request.param


def test_the_migrations_build_what_schema_py_describes(kind, tmp_path):
    migrated, declared = _blank(kind, tmp_path, "m.sqlite"), _blank(kind, tmp_path, "d.sqlite")
    try:
        migrate(migrated)
        metadata.create_all(declared)
        got, want = _described(migrated), _described(declared)
        assert sorted(got) == sorted(want) == sorted(metadata.tables)
        for table in want:
            for part in want[table]:
                assert got[table][part] == want[table][part], (table, part)
    finally:
        _discard(migrated)
        _discard(declared)


def test_alembic_finds_no_difference_between_the_migrated_store_and_the_metadata(kind,
                                                                                 tmp_path):
    eng = _blank(kind, tmp_path, "m.sqlite")
    try:
        migrate(eng)
        with eng.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
        assert differences == [], differences
    finally:
        _discard(eng)


def test_the_comparison_sees_a_difference():
    """A column the migrations lack is found (the check above can fail)."""
    from sqlalchemy import Column, MetaData, String, Table

    eng = create_engine("sqlite://")
    migrate(eng)
    changed = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(changed)
    Table("users", changed, Column("nickname", String(20)), extend_existing=True)
    with eng.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), changed)
    assert [d[0] for d in differences] == ["add_column"]
    assert differences[0][3].name == "nickname"
