"""The case database migrates: a file built by the release before migrations existed
(tests/data, built on 2026-11-27) opens, migrates, keeps every row and gains the lookup
tables its columns now reference."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from supervision.data import migrations
from supervision.data.db import connect, migrate_file, schema_is_current
from supervision.domain import vocabulary

AS_OF = dt.date(2026, 6, 30)
OLD = Path(__file__).resolve().parent / "data" / "case-db-2026-11-27.duckdb"


@pytest.fixture
def old_copy(tmp_path) -> Path:
    path = tmp_path / "old.duckdb"
    shutil.copy(OLD, path)
    return path


def _rows(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                for t in ("cases", "courts", "petitions", "case_types", "provinces")}
    finally:
        con.close()


def test_a_database_from_before_migrations_is_version_1_and_migrates(old_copy):
    before = _rows(old_copy)
    assert before["cases"] == 3000
    assert not schema_is_current(old_copy)
    migrate_file(old_copy)
    assert schema_is_current(old_copy)
    assert _rows(old_copy) == before
    con = duckdb.connect(str(old_copy), read_only=True)
    assert migrations.version(con) == migrations.LATEST
    applied = con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    assert [v for (v,) in applied] == list(range(1, migrations.LATEST + 1))
    methods = {r[0] for r in con.execute("SELECT code FROM closing_methods").fetchall()}
    assert methods == set(vocabulary.codes(vocabulary.CLOSING_METHODS))
    # the rebuilt tables leave no free space behind (the file is compacted)
    assert con.execute("SELECT free_blocks FROM pragma_database_size()").fetchall() == [(0,)]
    con.close()


def test_after_migration_the_lookup_tables_are_enforced(old_copy):
    migrate_file(old_copy)
    con = connect(old_copy)
    with pytest.raises(duckdb.ConstraintException):
        con.execute("UPDATE cases SET priority = 'urgent' WHERE case_number = "
                    "(SELECT min(case_number) FROM cases)")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("UPDATE courts SET level = 'supreme' WHERE court_code = 'HI720'")
    con.close()


def test_a_new_database_runs_every_migration(tmp_path):
    con = connect(tmp_path / "new.duckdb")
    assert migrations.version(con) == migrations.LATEST
    assert migrations.migrate(con) == []   # nothing left to apply on the next open
    con.close()


def test_a_file_whose_macros_are_older_than_this_release_is_migrated(tmp_path):
    # a file made by a release whose macros.sql lacked a macro: the sessions' cursors on a
    # read-only connection use the file's own macros, not those the connection makes
    from supervision.data.db import connect_current_version
    from supervision.domain.filters import Filters
    from supervision.engine import metrics

    path = tmp_path / "older.duckdb"
    con = connect(path)
    con.execute("DROP MACRO TABLE case_core_status")
    con.execute("UPDATE macro_source SET sha256 = 'the macros of an older release'")
    con.close()
    assert not schema_is_current(path)
    served, _version = connect_current_version(path)
    with pytest.raises(duckdb.CatalogException, match="case_core_status"):
        metrics.court_counts(served.cursor(), Filters(as_of=AS_OF), None)
    served.close()
    migrate_file(path)      # what the app does on opening such a file (supervision.ui.data)
    assert schema_is_current(path)
    served, _version = connect_current_version(path)
    # an empty database: every court's row (none) and the nation's
    assert metrics.court_counts(served.cursor(), Filters(as_of=AS_OF), None)["level"].to_list() \
        == ["nation"]
    served.close()



def test_an_open_brings_the_lookups_back_to_the_vocabulary_and_keeps_edited_defaults(tmp_path):
    """Every open for writing: a lookup row changed in the file is the vocabulary's again
    (ON CONFLICT DO UPDATE), a missing default is put back, and a default someone edited
    stays as edited (ON CONFLICT DO NOTHING)."""
    path = tmp_path / "cases.duckdb"
    con = connect(path)
    con.execute("UPDATE priorities SET name = '改过', sort_order = 9 WHERE code = 'high'")
    con.execute("UPDATE targets SET target_rank = 7 WHERE target = 'overall'")
    con.execute("DELETE FROM core_thresholds WHERE index_code = 'petitions_resolved'")
    con.close()
    con = connect(path)
    high = next(i for i, t in enumerate(vocabulary.PRIORITIES) if t.code == "high")
    assert con.execute("SELECT name, sort_order FROM priorities WHERE code = 'high'"
                       ).fetchall() == [(vocabulary.PRIORITIES[high].zh, high)]
    assert con.execute("SELECT target_rank FROM targets WHERE target = 'overall'"
                       ).fetchall() == [(7,)]
    assert con.execute("SELECT threshold FROM core_thresholds "
                       "WHERE index_code = 'petitions_resolved'").fetchall() == [(0.90,)]
    # every lookup row is the vocabulary's, in its order
    for table, (terms, _extra) in vocabulary.LOOKUP_TABLES.items():
        assert con.execute(f"SELECT code, name, name_en FROM {table} ORDER BY sort_order"
                           ).fetchall() == [(t.code, t.zh, t.en) for t in terms], table
    con.close()
