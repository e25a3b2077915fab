"""The national scans are shared by every session of the app: users on different courts
and roles under the same filters cost one scan; a new data version, other filters or a
connection whose data may change compute again."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from collections import Counter

import pytest
from polars.testing import assert_frame_equal

from supervision import metrics, shared, views
from supervision.access import Access
from supervision.db import connect, connect_current_version, new_version
from supervision.queries import Filters
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
    shared.forget()
    yield counted
    shared.forget()


@pytest.fixture
def served(demo_db, tmp_path):
    """The demo database as the app serves it: read-only, through its version link."""
    path = tmp_path / "served.duckdb"
    shutil.copy(demo_db, path)
    con, _version = connect_current_version(path)
    yield path, con
    con.close()


def test_two_users_on_two_courts_share_one_rank_scan(served, scans):
    _path, con = served
    f = Filters(as_of=DEMO_END, value_min=10_000.0)
    mine = views.targets_view(con.cursor(), SUPERVISOR, f, "HI100")
    theirs = views.targets_view(con.cursor(), PRESIDENT, f, "HI720")
    assert scans["rank_scan_cases"] == 1
    # each still sees only their own: the president's rows are their court's
    assert set(theirs["ranks"]["court_code"]) == {"HI720"}
    assert set(mine["ranks"]["court_code"]) > {"HI100", "HI720"}
    # the national province ranking, asked by both, is counted from the cases of the 3+1
    # indices in memory, read once, and scans no case table
    provinces = views.province_ranking_view(con.cursor(), SUPERVISOR, f)
    views.province_ranking_view(con.cursor(), PRESIDENT, f)
    assert (scans["core_scan_cases"], scans["court_counts"]) == (1, 0)
    # other sidebar filters are counted from the same cases in memory: no other read
    other = views.targets_view(con.cursor(), SUPERVISOR, f.with_(value_min=20_000.0), "HI100")
    other_provinces = views.province_ranking_view(con.cursor(), SUPERVISOR,
                                                  f.with_(value_min=20_000.0))
    assert (scans["rank_scan_cases"], scans["core_scan_cases"]) == (1, 1)
    assert other_provinces["concluded"].sum() < provinces["concluded"].sum()
    assert other["ranks"]["concluded"].sum() < mine["ranks"]["concluded"].sum()
    # another as-of date is another read
    views.targets_view(con.cursor(), SUPERVISOR, f.with_(as_of=DEMO_END - dt.timedelta(7)),
                       "HI100")
    assert scans["rank_scan_cases"] == 2


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
    assert scans["rank_scan_cases"] == 1
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
    newer.close()
    assert scans["rank_scan_cases"] == 2
    assert after.counts.recent["fully_performed"].sum() > \
        before.counts.recent["fully_performed"].sum()


def test_a_connection_whose_data_may_change_is_never_served_a_kept_result(db, scans):
    f = Filters(as_of=DEMO_END)
    metrics.rank_aggregate(db, f)
    metrics.rank_aggregate(db, f)
    assert scans["rank_scan_cases"] == 2


def test_the_rankings_derived_from_the_scan_are_shared_and_stay_each_users(served, monkeypatch):
    # every court's weekly ranks are ranked once; each caller gets only its own courts' rows
    _path, con = served
    shared.forget()
    ranked = Counter()
    real = metrics.ranking.rank

    def counting(counts, over):  # noqa: ANN001, ANN202 - a stand-in for ranking.rank
        ranked[tuple(over)] += 1
        return real(counts, over)

    monkeypatch.setattr(metrics.ranking, "rank", counting)
    f = Filters(as_of=DEMO_END, complexities=("complex",))
    one = metrics.weekly_ranks(con.cursor(), f, "overall", ["HI720"])
    other = metrics.weekly_ranks(con.cursor(), f, "overall", ["HI100", "HI101"])
    assert ranked[("week_end",)] == 1
    assert set(one["court_code"]) == {"HI720"}
    assert set(other["court_code"]) == {"HI100", "HI101"}
    assert metrics.year_end_projection(con.cursor(), f).height == \
        metrics.year_end_projection(con.cursor(), f).height
    assert metrics.court_ranks(con.cursor(), f, ["HI720"])["court_code"].unique().to_list() \
        == ["HI720"]
    shared.forget()


def test_the_server_start_warms_what_the_default_views_need(served, scans):
    """supervision.serve warms the default view when the server starts: afterwards the
    targets page, the province ranking and the province view of the default filters run
    no national scan, and show what they show without the warm-up."""
    from supervision.serve import warm_default_view

    path, con = served
    default = Filters(as_of=DEMO_END)   # the demo's latest data date, no filter
    assert warm_default_view(path) is not None
    assert (scans["rank_scan_cases"], scans["core_scan_cases"], scans["court_counts"]) \
        == (1, 1, 0)
    warmed = views.targets_view(con.cursor(), PRESIDENT, default, "HI720")
    views.province_ranking_view(con.cursor(), SUPERVISOR, default)
    views.province_view(con.cursor(), SUPERVISOR, default)
    assert (scans["rank_scan_cases"], scans["core_scan_cases"]) == (1, 1)
    # the province view's own 3+1 scans are of its provinces' courts, not national
    assert scans["court_counts"] == 2
    shared.forget()
    cold = views.targets_view(con.cursor(), PRESIDENT, default, "HI720")
    assert scans["rank_scan_cases"] == 2
    # (amounts summed in another order may differ in the last bit)
    for key in ("ranks", "projection", "weekly", "national"):
        assert_frame_equal(warmed[key], cold[key], check_exact=False, rel_tol=1e-12)
