"""The importer fuzzed (split from test_importer.py so that the two run side by side):
whatever the cells or bytes, an import refuses the file whole or accounts for every row."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervision.data.importer import UnreadableFile, import_files
from tests.conftest import empty_copy
from tests.test_importer import HEADER_EN, table

CELL = st.one_of(st.sampled_from(["", "A", "B", "loan", "first", "2026-01-05", "2026/2/30",
                                  "1e400", "-1", "是", "否", "high", "=1+1", '"', ",", "\n",
                                  "终本", "执行完毕", "2026-03-01"]),
                 st.text(max_size=12))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(st.lists(CELL, min_size=20, max_size=24), max_size=12),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk"]))
def test_fuzzed_rows_are_each_stored_or_reported(tmp_path_factory, rows, encoding):
    """Whatever the cells, an import either refuses the file whole (database unchanged) or
    accounts for every row: stored + rejected = rows read, and the database holds the new
    ones."""
    import csv
    import io

    from supervision.data.importer import ImportMismatch

    folder = tmp_path_factory.mktemp("fuzz")
    db = folder / "fuzz.duckdb"
    empty_copy(db)     # an empty case database, copied (making one is most of an example)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER_EN.split(","))
    writer.writerows(rows)
    f = folder / "fuzz.csv"
    try:
        f.write_bytes(buffer.getvalue().encode(encoding))
    except UnicodeEncodeError:
        f.write_bytes(buffer.getvalue().encode("utf-8"))
    before = db.read_bytes()
    try:
        [r] = import_files(db, {"cases": f})
    except UnreadableFile:
        assert db.read_bytes() == before
        return
    except ImportMismatch as exc:  # pragma: no cover - would be a real bug
        raise AssertionError(str(exc)) from exc
    assert r.stored + r.rejected_rows == r.rows
    assert table(db, "cases").height == r.new


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=600))
def test_fuzzed_bytes_never_crash_the_importer(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("bytes")
    db = folder / "fuzz.duckdb"
    empty_copy(db)     # an empty case database, copied (making one is most of an example)
    f = folder / "junk.csv"
    f.write_bytes(HEADER_EN.encode() + b"\n" + data)
    try:
        [r] = import_files(db, {"cases": f})
    except UnreadableFile:
        return
    assert r.stored + r.rejected_rows == r.rows
