"""The drill-through's address (supervision/ui/navigate.py), without a browser: the URL a
drill-through switches to is the one the target page is drawn from, so what the browser
race tests (tests/test_browser_urls.py, test_browser_url_drills.py) copy from the address
bar is decided here. Each case is worked out by hand from the view it starts on."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from supervision.ui import navigate


class Switches:
    """Stands in for Streamlit: the current URL's parameters, the session's state, and
    every switch_page asked for."""

    def __init__(self, query: dict[str, str]) -> None:
        self.query_params = SimpleNamespace(to_dict=lambda: dict(query))
        self.session_state: dict[str, object] = {}
        self.asked: list[tuple[str, dict[str, str]]] = []
        self.forgotten = 0

    def switch_page(self, page_file: str, query_params: dict[str, str]) -> None:
        self.asked.append((page_file, query_params))


@pytest.fixture
def streamlit(monkeypatch):
    def start(query: dict[str, str]) -> Switches:
        fake = Switches(query)
        monkeypatch.setattr(navigate, "st", fake)

        def forget() -> None:
            fake.forgotten += 1
        monkeypatch.setattr(navigate.sidebar, "forget_labelled_widgets", forget)
        return fake
    return start


PROVINCE_VIEW = {"page": "province", "court": "HI000", "as_of": "2026-11-20",
                 "type": "livelihood", "pri": "high", "lang": "en",
                 "x_q": "张三", "unknown": "x"}


def test_a_court_row_switches_to_its_brief_with_the_views_filters(streamlit):
    fake = streamlit(PROVINCE_VIEW)
    navigate.open_brief("HI720")
    # the sidebar's keys of the view are kept, the court is the row's, the page is the
    # brief; the explorer's search text and an unknown key are not carried over
    assert fake.asked == [("pages/court_brief.py",
                           {"page": "brief", "court": "HI720", "as_of": "2026-11-20",
                            "type": "livelihood", "pri": "high", "lang": "en"})]
    assert fake.forgotten == 1      # the language-labelled widgets re-seed from the URL


def test_the_provinces_own_court_still_switches_page(streamlit):
    # the province's court is the view's court already: the path and `page` tell them apart
    fake = streamlit(PROVINCE_VIEW)
    navigate.open_brief("HI000")
    page_file, query = fake.asked[0]
    assert page_file == "pages/court_brief.py"
    assert query["page"] == "brief" and query["court"] == "HI000"


def test_an_index_drill_drops_the_narrowing_filters(streamlit):
    fake = streamlit({"page": "brief", "court": "HI720", "as_of": "2026-11-20",
                      "type": "livelihood", "band": "2", "vmin": "1", "vmax": "9",
                      "pri": "high", "cx": "complex", "lang": "zh"})
    fake.session_state.update({"x_q": "old search", "x_index": "old", "kept": 1})
    navigate.open_explorer("HI720", index="actual_enforcement")
    assert fake.asked == [("pages/explorer.py",
                           {"page": "explorer", "court": "HI720", "as_of": "2026-11-20",
                            "lang": "zh", "index": "actual_enforcement"})]
    # the explorer's own widgets start over; other state is the session's
    assert fake.session_state == {"kept": 1}


def test_an_explorer_drill_without_an_index_keeps_the_filters(streamlit):
    fake = streamlit({"page": "targets", "court": "HI720", "type": "livelihood",
                      "vmin": "1"})
    navigate.open_explorer("HI720", drill="closed")
    assert fake.asked == [("pages/explorer.py",
                           {"page": "explorer", "court": "HI720", "type": "livelihood",
                            "vmin": "1", "drill": "closed"})]


def test_a_respondent_drill_names_the_reference_and_drops_the_old_search(streamlit):
    fake = streamlit({"page": "respondent", "court": "HI720", "rq": "old"})
    fake.session_state["r_query"] = "old"
    navigate.open_respondent("ref-1")
    assert fake.asked == [("pages/respondent.py",
                           {"page": "respondent", "court": "HI720",
                            "respondent": "ref-1"})]
    assert "r_query" not in fake.session_state
