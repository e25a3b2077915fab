"""The national scans are shared by every session of the app: users on different courts
and roles under the same filters cost one scan; a new data version, other filters or a
connection whose data may change compute again."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from supervision import views
from supervision.data import lookups
from supervision.data.db import connect, connect_current_version, new_version
from supervision.domain.filters import Filters
from supervision.engine import metrics, single_flight
from supervision.security.access import Access
from tests.conftest import DEMO_END

SUPERVISOR = Access("s", "supervisor", "HI000", "琼")
PRESIDENT = Access("p", "president", "HI720", "琼")


@pytest.fixture
def scans(monkeypatch) -> Counter:
    """How many times each query of queries/ ran."""
    counted: Counter = Counter()

    def counting(real):  # noqa: ANN001, ANN202 - stand-ins for run and run_arrays
        def run(con, name, **params):  # noqa: ANN001, ANN202
            counted[name] += 1
            return real(con, name, **params)
        return run

    monkeypatch.setattr(metrics, "run", counting(metrics.run))
    monkeypatch.setattr(metrics, "run_arrays", counting(metrics.run_arrays))
    # a lookup read without metrics.lookup (lookups.py's own runner) counts too
    monkeypatch.setattr(lookups, "run", counting(lookups.run))
    single_flight.forget()
    yield counted
    single_flight.forget()


@pytest.fixture
def served(demo_db, tmp_path):
    """The demo database as the app serves it: read-only, through its version link."""
    path = tmp_path / "served.duckdb"
    shutil.copy(demo_db, path)
    con, _version = connect_current_version(path)
    yield path, con
    con.close()


def test_the_default_views_counts_are_kept_once_whatever_is_asked(served):
    # every case is counted with the date, by week: asked for now only (a subset's ranks
    # now, 3+1 counts), it is the same entry, not a second 28 MB of the same counts
    _path, con = served
    single_flight.forget()
    f = Filters(as_of=DEMO_END)
    metrics.rank_aggregate(con, f)
    kept = single_flight.RESULTS.kept_bytes
    metrics.rank_aggregate(con, f, by_week=False)
    assert single_flight.RESULTS.kept_bytes == kept > 0
    # a subset counted for now only is far smaller than by week
    narrowed = f.with_(priorities=("high",))
    metrics.rank_aggregate(con, narrowed, by_week=False)
    now_only = single_flight.RESULTS.kept_bytes - kept
    metrics.rank_aggregate(con, narrowed)
    assert 0 < now_only * 10 < single_flight.RESULTS.kept_bytes - kept - now_only
    single_flight.forget()


def test_two_users_on_two_courts_share_one_rank_scan(served, scans):
    _path, con = served
    f = Filters(as_of=DEMO_END, value_min=10_000.0)
    mine = views.targets_view(con.cursor(), SUPERVISOR, f, "HI100")
    theirs = views.targets_view(con.cursor(), PRESIDENT, f, "HI720")
    assert scans["memory_cases"] == 1
    # each still sees only their own: the president's rows are their court's
    assert set(theirs["ranks"]["court_code"]) == {"HI720"}
    assert set(mine["ranks"]["court_code"]) > {"HI100", "HI720"}
    # the national province ranking, asked by both, is counted from the same cases in
    # memory and scans no case table
    provinces = views.province_ranking_view(con.cursor(), SUPERVISOR, f)
    views.province_ranking_view(con.cursor(), PRESIDENT, f)
    assert (scans["memory_cases"], scans["court_counts"]) == (1, 0)
    # other sidebar filters are counted from the same cases in memory: no other read
    other = views.targets_view(con.cursor(), SUPERVISOR, f.with_(value_min=20_000.0), "HI100")
    other_provinces = views.province_ranking_view(con.cursor(), SUPERVISOR,
                                                  f.with_(value_min=20_000.0))
    assert (scans["memory_cases"], scans["memory_petitions"]) == (1, 1)
    assert other_provinces["concluded"].sum() < provinces["concluded"].sum()
    # the official ranks whatever the filter; the subset's from the same cases in memory
    assert_frame_equal(other["ranks"], mine["ranks"])
    narrower = metrics.national_ranks(con.cursor(), f.with_(value_min=20_000.0))
    assert narrower["concluded"].sum() < metrics.national_ranks(con.cursor(), f)[
        "concluded"].sum()
    # another as-of date, the previous year's included, is derived from the same cases:
    # no read, no scan; the brief and the province view too
    for back in (7, 300):
        g = f.with_(as_of=DEMO_END - dt.timedelta(back))
        views.targets_view(con.cursor(), SUPERVISOR, g, "HI100")
        views.province_ranking_view(con.cursor(), SUPERVISOR, g)
        views.brief_view(con.cursor(), SUPERVISOR, g, "HI100")
        views.province_view(con.cursor(), SUPERVISOR, g)
    assert (scans["memory_cases"], scans["memory_petitions"], scans["court_counts"]) == (1, 1, 0)


def test_concurrent_identical_requests_wait_for_one_scan(served, scans):
    _path, con = served
    f = Filters(as_of=DEMO_END, priorities=("high",))
    results = []

    def page(cursor) -> None:  # noqa: ANN001 - a DuckDB cursor, one per session thread
        results.append(metrics.rank_aggregate(cursor, f))

    threads = [threading.Thread(target=page, args=(con.cursor(),)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert scans["memory_cases"] == 1
    assert len(results) == 6 and all(r is results[0] for r in results)


def test_a_new_version_of_the_data_is_scanned_again(served, scans):
    path, con = served
    f = Filters(as_of=DEMO_END)
    before = metrics.rank_aggregate(con, f)
    # an import swaps a new file in: the app's next connection reads that version
    with new_version(path) as work:
        writer = connect(work)
        writer.execute("UPDATE cases SET closing_method = 'fully_performed' "
                       "WHERE closing_method = 'terminated_current'")
        writer.execute("CHECKPOINT")
        writer.close()
    newer, _version = connect_current_version(path)
    after = metrics.rank_aggregate(newer, f)
    served_now = single_flight.served_version(newer)
    newer.close()
    assert scans["memory_cases"] == 2
    assert after.counts.grid["fully_performed"].sum() > \
        before.counts.grid["fully_performed"].sum()
    # the replaced version's results are dropped once the new one is served, and a
    # connection still reading it computes without keeping what it computes
    assert {k[0] for store in (single_flight.RESULTS, single_flight.CASES,
                               single_flight.DATED) for k in store._results} == {served_now}
    metrics.rank_aggregate(con, f)
    assert scans["memory_cases"] == 3
    assert {k[0] for k in single_flight.CASES._results} == {served_now}


def test_lookup_tables_are_read_once_per_version_and_again_after_an_import(served, scans):
    """Court names, case types, targets and thresholds: read once per served version for
    every page run and filter change (metrics.lookup), the new values as soon as an import
    changes them."""
    path, con = served
    f = Filters(as_of=DEMO_END)
    views.targets_view(con, SUPERVISOR, f, "HI720")
    views.targets_view(con, PRESIDENT, f.with_(priorities=("high",)), "HI720")
    views.province_ranking_view(con, SUPERVISOR, f.with_(complexities=("complex",)))
    for name in ("case_types_list", "targets", "core_thresholds", "provinces_list"):
        assert scans[name] == 1, (name, scans)
    # court names: once per scope asked for (every court, a user's courts …), each scope
    # its own rows
    scopes = [k for k in single_flight.LOOKUPS._results if k[1] == "court_names"]
    assert scopes and scans["court_names"] == len(scopes), (scopes, scans)
    one = metrics.lookup(con, "court_names", visible=["HI720"])
    province = metrics.lookup(con, "court_names", visible=list(SUPERVISOR.allowed_courts(con)))
    assert one["court_code"].to_list() == ["HI720"]
    assert province.height > 1 and set(province["province"]) == {"琼"}
    assert metrics.lookup(con, "court_names", visible=[]).height == 0
    # a lookup never waits for a compute slot, even with every slot taken by the scans
    taken = [single_flight._slots.acquire(timeout=5) for _ in range(single_flight.COMPUTE_SLOTS)]
    try:
        assert all(taken)
        done = threading.Event()
        threading.Thread(target=lambda: (metrics.lookup(con, "value_bands_list"), done.set()),
                         daemon=True).start()
        assert done.wait(10), "a lookup waited for a compute slot"
    finally:
        for acquired in taken:
            if acquired:    # only the slots this test holds go back
                single_flight._slots.release()
    limit = lookups.thresholds(con, metrics.lookup)["three_year_conclusion"]
    with new_version(path) as work:
        writer = connect(work)
        writer.execute("UPDATE targets SET target_rank = target_rank + 7")
        writer.execute("UPDATE core_thresholds SET threshold = threshold / 2 "
                       "WHERE index_code = 'three_year_conclusion'")
        writer.execute("UPDATE courts SET name = name || '（新）' WHERE court_code = 'HI720'")
        writer.execute("CHECKPOINT")
        writer.close()
    newer, _version = connect_current_version(path)
    before = lookups.targets(con, metrics.lookup)
    after = lookups.targets(newer, metrics.lookup)
    assert after["target_rank"].to_list() == [r + 7 for r in before["target_rank"]]
    assert lookups.thresholds(newer, metrics.lookup)["three_year_conclusion"] == limit / 2
    names = metrics.lookup(newer, "court_names", visible=None)
    assert names.filter(pl.col("court_code") == "HI720")["name"][0].endswith("（新）")
    newer.close()
    # a connection still reading the replaced version is not served the new values
    assert lookups.targets(con, metrics.lookup)["target_rank"].to_list() == \
        before["target_rank"].to_list()


def test_a_connection_whose_data_may_change_is_never_served_a_kept_result(db, scans):
    f = Filters(as_of=DEMO_END)
    metrics.rank_aggregate(db, f)
    metrics.rank_aggregate(db, f)
    assert scans["memory_cases"] == 2


def test_the_rankings_derived_from_the_scan_are_shared_and_stay_each_users(served, monkeypatch):
    # every court's weekly ranks are ranked once; each caller gets only its own courts' rows
    _path, con = served
    single_flight.forget()
    ranked = Counter()
    real = metrics.ranking.rank_columns

    def counting(*grids, **target):  # noqa: ANN002, ANN003, ANN202 - ranking.rank_columns'
        ranked["weeks"] += 1
        return real(*grids, **target)

    monkeypatch.setattr(metrics.ranking, "rank_columns", counting)
    f = Filters(as_of=DEMO_END, complexities=("complex",))
    one = metrics.weekly_ranks(con.cursor(), f, "overall", ["HI720"])
    other = metrics.weekly_ranks(con.cursor(), f, "overall", ["HI100", "HI101"])
    assert ranked["weeks"] == 1
    assert set(one["court_code"]) == {"HI720"}
    assert set(other["court_code"]) == {"HI100", "HI101"}
    assert metrics.year_end_projection(con.cursor(), f).height == \
        metrics.year_end_projection(con.cursor(), f).height
    assert metrics.court_ranks(con.cursor(), f, ["HI720"])["court_code"].unique().to_list() \
        == ["HI720"]
    single_flight.forget()


def test_the_server_start_warms_what_the_default_views_need(served, scans):
    """supervision.serve warms the default view when the server starts: afterwards the
    targets page, the province ranking and the province view of the default filters run
    no national scan, and show what they show without the warm-up."""
    from supervision.serve import warm_default_view

    path, con = served
    default = Filters(as_of=DEMO_END)   # the demo's latest data date, no filter
    assert warm_default_view(path) is not None
    # every case read once, the province ranking counted from them: no scan
    assert (scans["memory_cases"], scans["memory_petitions"], scans["court_counts"]) \
        == (1, 1, 0)
    warmed = views.targets_view(con.cursor(), PRESIDENT, default, "HI720")
    warmed_provinces = views.province_ranking_view(con.cursor(), SUPERVISOR, default)
    views.province_view(con.cursor(), SUPERVISOR, default)
    assert (scans["memory_cases"], scans["court_counts"]) == (1, 0)
    single_flight.forget()
    cold = views.targets_view(con.cursor(), PRESIDENT, default, "HI720")
    # the cases again, from the arrays the warm-up kept beside the version (no query)
    assert scans["memory_cases"] == 1
    assert_frame_equal(warmed_provinces,
                       views.province_ranking_view(con.cursor(), SUPERVISOR, default),
                       check_exact=False, rel_tol=1e-12)
    # (amounts summed in another order may differ in the last bit)
    for key in ("ranks", "projection", "weekly", "national"):
        assert_frame_equal(warmed[key], cold[key], check_exact=False, rel_tol=1e-12)


def test_results_are_kept_within_their_bytes_the_oldest_dropped_first(served):
    _path, con = served
    store = single_flight.SharedResults(100, max_bytes=3 * 8_000)
    computed = Counter()

    def frame(name: str):  # noqa: ANN202 - a result of 8,000 bytes (1,000 Int64 values)
        def compute():  # noqa: ANN202
            computed[name] += 1
            return pl.DataFrame({"x": range(1_000)}, schema={"x": pl.Int64})
        return compute

    for name in ("a", "b", "c"):
        store.get(con.cursor(), "q", name, frame(name))
    assert store.kept_bytes == 3 * 8_000
    store.get(con.cursor(), "q", "a", frame("a"))      # kept: asked again, now the newest
    store.get(con.cursor(), "q", "d", frame("d"))      # over the bytes: b, the oldest, goes
    store.get(con.cursor(), "q", "a", frame("a"))
    store.get(con.cursor(), "q", "b", frame("b"))
    assert computed == {"a": 1, "b": 2, "c": 1, "d": 1}
    assert store.kept_bytes == 3 * 8_000
    # one result larger than the whole budget is still kept (the newest always is)
    big = store.get(con.cursor(), "q", "big",
                    lambda: pl.DataFrame({"x": range(10_000)}, schema={"x": pl.Int64}))
    assert store.get(con.cursor(), "q", "big", lambda: None) is big


def test_national_computations_run_a_few_at_a_time_and_nested_ones_cannot_deadlock(served,
                                                                                 monkeypatch):
    # twenty sessions each computing another filter set: at most the slots (2 here) at once. A
    # computation nested in another runs in its slot, and one waiting for a result another
    # thread computes gives its slot up (that thread may be waiting for one)
    _path, con = served
    monkeypatch.setattr(single_flight, "_slots", threading.BoundedSemaphore(2))
    store = single_flight.SharedResults(1_000)
    running, most, lock = 0, 0, threading.Lock()
    inner_started = threading.Event()

    def inner():  # noqa: ANN202 - the shared part every outer computation needs
        inner_started.set()
        return track(lambda: 0)

    def track(work):  # noqa: ANN001, ANN202
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            threading.Event().wait(0.02)
            return work()
        finally:
            with lock:
                running -= 1

    def outer(key: int) -> None:
        cursor = con.cursor()

        def compute():  # noqa: ANN202 - its own work, then the shared part
            track(lambda: 0)
            return store.get(cursor, "inner", "one", inner)
        store.get(cursor, "outer", key, compute)

    threads = [threading.Thread(target=outer, args=(k,), daemon=True) for k in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "deadlocked"
    assert inner_started.is_set()
    assert most <= 2


def test_a_thread_waiting_for_a_result_gives_its_compute_slot_to_the_thread_computing_it(
        served, monkeypatch):
    # both slots held by computations that need "inner", whose owner asked for it first,
    # from outside any computation, and waits for a slot: they must let it have one
    _path, con = served
    monkeypatch.setattr(single_flight, "_slots", threading.BoundedSemaphore(2))
    store = single_flight.SharedResults(100)
    holding = threading.Barrier(3)
    inner_owned = threading.Event()

    def outer(key: int) -> None:
        cursor = con.cursor()

        def compute():  # noqa: ANN202
            holding.wait()             # both slots are held now
            inner_owned.wait()
            return store.get(cursor, "inner", "one", lambda: "inner")
        store.get(cursor, "outer", key, compute)

    def first_asker() -> None:
        store.get(con.cursor(), "inner", "one", lambda: "inner")

    outers = [threading.Thread(target=outer, args=(k,), daemon=True) for k in range(2)]
    for thread in outers:
        thread.start()
    holding.wait()
    asker = threading.Thread(target=first_asker, daemon=True)
    asker.start()
    while not any(key[1] == "inner" for key in list(store._results)):
        threading.Event().wait(0.001)  # the asker owns "inner" and waits for a slot
    inner_owned.set()
    for thread in [*outers, asker]:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in [*outers, asker]), "deadlocked"


def test_the_folders_duckdb_spills_to_beside_the_versions_do_not_stop_the_app(served):
    # DuckDB spills a query beyond its memory limit to `<file>.tmp`, a folder beside the
    # version link; opening the current version removes old links, never a folder (this
    # once stopped every new session of a server), and old versions' folders once empty
    path, con = served
    link = Path(con.sql("SELECT path FROM duckdb_databases() "
                        "WHERE database_name = current_database()").fetchall()[0][0])
    old_link = path.with_name(f".{path.name}.v1-2-3")
    old_link.write_bytes(b"")
    mine, old_empty, old_in_use = (link.with_name(link.name + ".tmp"),
                                   old_link.with_name(old_link.name + ".tmp"),
                                   path.with_name(f".{path.name}.v4-5-6.tmp"))
    for folder in (mine, old_empty, old_in_use):
        folder.mkdir()
    (old_in_use / "duckdb_temp_storage-0.tmp").write_bytes(b"spilled")
    again, _version = connect_current_version(path)
    again.close()
    assert not old_link.exists() and not old_empty.exists()
    assert mine.is_dir() and old_in_use.is_dir() and link.exists()


def test_a_date_is_derived_once_for_every_page_and_filter_at_it(served, monkeypatch):
    # the cases stand at a date once (memory_counts.dated): the targets page, the province
    # ranking and the brief at that date, under any sidebar filter, share it
    from supervision.engine import memory_counts

    _path, con = served
    derived = Counter()
    real = memory_counts.dated

    def counting(cases, as_of, start, **kw):  # noqa: ANN001, ANN202 - a stand-in for dated
        derived[as_of] += 1
        return real(cases, as_of, start, **kw)

    monkeypatch.setattr(memory_counts, "dated", counting)
    single_flight.forget()
    for as_of in (DEMO_END, DEMO_END - dt.timedelta(days=30)):
        for f in (Filters(as_of=as_of), Filters(as_of=as_of, case_types=("livelihood",))):
            views.targets_view(con.cursor(), SUPERVISOR, f, "HI720")
            views.province_ranking_view(con.cursor(), SUPERVISOR, f)
            views.brief_view(con.cursor(), SUPERVISOR, f, "HI720")
    assert derived == {DEMO_END: 1, DEMO_END - dt.timedelta(days=30): 1}
    single_flight.forget()


def test_every_case_is_kept_beside_its_version_for_the_next_start(served, scans):
    """Every case in memory (no subset) is written beside the served version once and mapped
    at the next start: the same counts at any date, no query. A folder of another format
    is never read; an unreadable folder is read again; a crashed writer's scratch folder
    is removed; a replaced version's folder goes with it."""
    from supervision.engine import mapped_arrays
    from supervision.serve import warm_default_view

    path, con = served
    changed = Filters(as_of=DEMO_END, value_min=50_000.0)
    earlier = changed.with_(as_of=DEMO_END - dt.timedelta(days=200))
    link = Path(single_flight.served_version(con))
    kept = link.with_name(link.name + ".arrays")
    first, then = (metrics.court_core_counts(con, f) for f in (changed, earlier))
    assert sorted(p.name.split("-")[0] for p in kept.iterdir()) == [
        "memory_cases", "memory_petitions"]
    single_flight.forget()                                   # a new start of the server
    assert_frame_equal(metrics.court_core_counts(con, changed), first)
    assert_frame_equal(metrics.court_core_counts(con, earlier), then)
    assert (scans["memory_cases"], scans["memory_petitions"]) == (1, 1)
    single_flight.forget()
    assert warm_default_view(path) is not None
    assert (scans["memory_cases"], scans["court_counts"]) == (1, 0)   # mapped, not read
    # the format of the arrays is in the folder's name: another format never reads them
    folder = mapped_arrays.folder_of(str(link), "memory_cases", {"x": 1})
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(mapped_arrays, "FORMAT", mapped_arrays.FORMAT + 1)
    assert mapped_arrays.folder_of(str(link), "memory_cases", {"x": 1}) != folder
    monkeypatch.undo()
    # a column that cannot be read: the cases are read again and kept anew
    [cases_folder] = kept.glob("memory_cases-*")
    next(cases_folder.glob("*.npy")).write_bytes(b"not an array")
    single_flight.forget()
    assert_frame_equal(metrics.court_core_counts(con, changed), first)
    assert scans["memory_cases"] == 2
    # a writer that died half-way left its scratch folder: the next writer removes it
    dead = kept / ".memory_cases-0123456789abcdef.999999999.1"
    dead.mkdir()
    (dead / "court_index.npy").write_bytes(b"half")
    alive = kept / f".memory_cases-0123456789abcdef.{os.getpid()}.1"
    alive.mkdir()
    next(kept.glob("memory_cases-*/*.npy")).write_bytes(b"not an array")
    single_flight.forget()
    metrics.court_core_counts(con, changed)
    assert not dead.exists() and alive.is_dir()
    alive.rmdir()
    # an import swaps a new version in: the old one's kept cases are removed with its link
    with new_version(path) as work:
        connect(work).close()
    newer, _version = connect_current_version(path)
    newer.close()
    assert not kept.exists() and not link.exists()
