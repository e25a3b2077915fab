"""The app under streamlit.testing: login, pages by role, filters applied, no exception."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from supervision.output.safe_output import md
from supervision.security.users import DEMO_USERS
from tests.conftest import DEMO_END, add_cases

PASSWORDS = {u: p for u, _, _, _, p in DEMO_USERS}
ROLE_PAGES = {   # the spec of who opens what (supervision.domain.vocabulary.ROLES must agree)
    "supervisor": [f"pages/{p}.py" for p in (
        "province", "weekly", "publications", "targets", "roadmap", "court_brief", "pending",
        "termination_audit", "settlements", "respondent", "escalation", "ledger", "explorer")],
    "president": [f"pages/{p}.py" for p in (
        "targets", "roadmap", "court_brief", "pending", "termination_audit", "settlements",
        "respondent", "escalation", "ledger")],
    "analyst": [f"pages/{p}.py" for p in (
        "province", "weekly", "publications", "targets", "roadmap", "court_brief", "pending",
        "termination_audit", "settlements", "respondent", "escalation", "ledger", "explorer")],
    "admin": ["pages/admin.py"],
}


@pytest.fixture
def app(demo_db, monkeypatch):
    monkeypatch.setenv("SUPERVISION_DB", str(demo_db))
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"),
                           default_timeout=60)
    return at


def login(at: AppTest, user: str, password: str | None = None) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    at.text_input[0].input(user)
    at.text_input[1].input(password or PASSWORDS[user])
    next(b for b in at.button if b.label in ("登录", "Log in")).click()
    at.run()
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [m.label + " " + str(m.value) for m in at.metric]
    parts += [e.value for e in at.info] + [e.value for e in at.warning] + [e.value for e in at.error]
    parts += [e.value for e in at.title] + [e.value for e in at.subheader]
    return "\n".join(str(p) for p in parts)


def test_wrong_password_is_refused(app):
    login(app, "supervisor", "not-the-password")
    assert not app.exception
    assert any("用户名或密码错误" in e.value for e in app.error)
    assert not app.sidebar.selectbox  # no filters before login


@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_each_role_opens_each_of_its_pages(app, role):
    login(app, role)
    assert not app.exception, app.exception
    if role != "admin":
        assert app.sidebar.selectbox(key="f_court").value  # the shared filters are drawn
    for page in ROLE_PAGES[role]:
        app.switch_page(page)
        app.run()
        assert not app.exception, (page, app.exception)
        assert app.title, page


@pytest.mark.parametrize("role,forbidden", [("president", "pages/explorer.py"),
                                            ("president", "pages/admin.py"),
                                            ("analyst", "pages/admin.py"),
                                            ("admin", "pages/court_brief.py")])
def test_a_page_outside_the_role_is_not_registered(app, role, forbidden):
    login(app, role)
    forbidden_titles = {"pages/explorer.py": "案件查询", "pages/admin.py": "用户与数据",
                        "pages/court_brief.py": "法院督导简报"}
    try:
        app.switch_page(forbidden)
    except ValueError as refused:  # AppTest knows only the pages st.navigation registered
        assert forbidden.rsplit("/", 1)[1] not in str(refused).split("Known pages:")[1]
        return
    app.run()
    assert not app.exception
    assert forbidden_titles[forbidden] not in " ".join(t.value for t in app.title)


def test_president_sees_only_their_court_even_with_another_in_the_url(app):
    app.query_params["court"] = "HI100"
    login(app, "president")
    assert not app.exception
    court = app.sidebar.selectbox(key="f_court")
    assert court.value == "HI720" and court.options == ["海口海事法院"]
    assert any("无权查看" in w.value for w in app.sidebar.warning)
    assert "海口海事法院" in app.title[0].value
    assert "海口市中级人民法院" not in texts(app)


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_filters_from_the_url_are_applied_and_named(demo_db, monkeypatch):
    monkeypatch.setenv("SUPERVISION_DB", str(demo_db))
    path = str(Path(__file__).resolve().parent.parent / "app.py")
    plain, filtered = AppTest.from_file(path, default_timeout=60), AppTest.from_file(
        path, default_timeout=60)
    for at in (plain, filtered):
        at.query_params["court"] = "HI720"
    filtered.query_params["type"] = "livelihood"
    filtered.query_params["pri"] = "high,normal"
    for at in (plain, filtered):
        login(at, "supervisor")
    assert filtered.sidebar.selectbox(key="f_type").value == "livelihood"
    assert filtered.sidebar.multiselect(key="f_pri").value == ["high", "normal"]
    for at in (plain, filtered):
        at.switch_page("pages/targets.py")
        at.run()
    assert not plain.exception and not filtered.exception
    captions = " ".join(c.value for c in filtered.caption)
    assert "案件类型: 涉民生案件" in captions and "优先级: 高/中" in captions
    # the plain page is all official: named as such, not by filters
    assert "官方口径（全部案件）" in " ".join(c.value for c in plain.caption)
    # under a one-type filter the headline is that type's own rate, on a different subset
    assert _metric(plain, "实际执行率") != _metric(filtered, "涉民生案件 · 实际执行率")


def test_english_from_the_url(app):
    app.query_params["lang"] = "en"
    login(app, "analyst")
    assert not app.exception
    assert "Province at a glance" in app.title[0].value


def test_supervisors_land_on_the_province_at_a_glance(app):
    login(app, "supervisor")
    assert not app.exception
    assert app.title[0].value.startswith("全省一览 · 海南省")
    table = app.dataframe[0].value
    # every court of the province, one row each, the ranked ones first by rank
    assert len(table) == 29 and table["法院"].is_unique
    ranks = table["全国排名"].dropna().tolist()
    assert ranks == sorted(ranks)
    assert set(table.columns) >= {"五类达标", "3+1达标", "落后指标", "落后指标较上周", "排名较上周",
                                  "目标状态", "本周新增落后指标", "距名线差距（今日，件）",
                                  "年底前还需执行完毕（件）"}
    # the standing is words with k from the data; the changes since last week are words
    assert set(table["目标状态"]) <= {"前20名内", "未进入前20名", "未排名"}
    assert all(v == "持平" or v == "—" or v[:2] in ("上升", "下降") for v in table["排名较上周"])
    assert all(v == "持平" or v[:2] in ("增加", "减少") for v in table["落后指标较上周"])


@pytest.mark.parametrize("page", [None, "brief", "explorer"])
def test_the_court_of_a_deep_link_survives_reruns_and_page_switches(app, page):
    """The session logic behind the browser's deep-link test (tests/test_browser.py): the
    court the link names is seeded once and kept by every later run — reruns, a switch to
    another page and back — never replaced by the first court of the list."""
    app.query_params["court"] = "HI720"
    if page:
        app.query_params["page"] = page
    login(app, "supervisor")
    steps = ["login", "rerun", "rerun", "pages/pending.py", "rerun", "pages/targets.py"]
    for i, step in enumerate(steps):
        if step.startswith("pages/"):
            app.switch_page(step)
        if step != "login":
            app.run()
        assert not app.exception, (step, app.exception)
        if "f_court" in app.session_state:      # the sidebar's court, where drawn
            assert app.session_state["f_court"] == "HI720", (step, app.session_state["f_court"])
        if i >= steps.index("pages/pending.py"):
            # a court's page names its court in the title
            assert "海口海事法院" in app.title[0].value, (step, app.title[0].value)
        assert app.query_params.get("court") in ("HI720", ["HI720"]), (step, app.query_params)
    # without the link the supervisor starts on another court: a lost seed would show
    plain = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"),
                              default_timeout=60)
    login(plain, "supervisor")
    plain.switch_page("pages/pending.py")
    plain.run()
    assert "海口海事法院" not in plain.title[0].value, plain.title[0].value


def test_a_filter_matching_nothing_says_so(app):
    app.query_params["band"] = "custom"
    app.query_params["vmin"] = "900000000"   # 万元: more than any case
    login(app, "supervisor")
    app.switch_page("pages/pending.py")
    app.run()
    assert not app.exception
    assert any("筛选条件下没有未结案件" in i.value for i in app.info)
    app.switch_page("pages/province.py")
    app.run()
    assert not app.exception


def test_the_admin_sees_the_audit_trail_of_logins_and_user_changes(app):
    login(app, "analyst", "wrong-password-x")       # a failure, recorded
    fresh = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"),
                              default_timeout=60)
    login(fresh, "admin")
    assert not fresh.exception
    trail = fresh.dataframe[-1].value
    events = set(trail["事件"])
    assert {"登录失败", "登录成功", "新增用户"} <= events      # event codes shown by name
    assert "analyst" in set(trail.loc[trail["事件"] == "登录失败", "操作人"])
    # the admin adds a user through the form: recorded with the admin as actor
    form_inputs = [w for w in fresh.text_input if w.label in ("用户名", "姓名", "法院", "密码")]
    values = {"用户名": "Audit.Test", "姓名": "审计测试", "法院": "HI720",
              "密码": "audit-password-1"}
    for widget in form_inputs[:4]:
        widget.input(values[widget.label])
    next(b for b in fresh.button if b.label == "新增用户").click()
    fresh.run()
    assert not fresh.exception
    assert any(md("audit.test") in s.value for s in fresh.success), [e.value for e in fresh.error]
    trail = fresh.dataframe[-1].value
    added = trail[(trail["事件"] == "新增用户") & (trail["对象"] == "audit.test")]
    assert list(added["操作人"]) == ["admin"]


def test_a_one_type_filter_shows_that_types_official_ranking_and_every_type(app):
    app.query_params["court"] = "HI720"
    app.query_params["type"] = "livelihood"
    login(app, "supervisor")
    app.switch_page("pages/targets.py")
    app.run()
    assert not app.exception
    labels = [m.label for m in app.metric]
    assert labels[0].startswith("涉民生案件") and "前15名线" in labels
    shown = texts(app)
    # that type's ranking is official: no subset analysis; the five-type chart is official
    # too, every type on all its cases (none "left out by the filter")
    assert "筛选子集分析" not in shown and "案件类型筛选未包含" not in shown
    assert "官方口径（全部案件）" in shown


@pytest.fixture
def store_with_a_visit(demo_db, tmp_path, monkeypatch) -> None:
    """An operational store of this test's own (not the run's, which other tests write
    into): the demo users and one visit to 海口海事法院, its requirement, owner and progress
    note in Chinese, as a delegation writes them; the item linked to an index and overdue,
    so that every column of the brief's open items holds a value."""
    import duckdb

    from supervision.security.access import Access
    from supervision.security.users import install_demo_users
    from supervision.store import engine
    from supervision.workflow import ledger

    url = f"sqlite:///{tmp_path / 'operations.sqlite'}"
    monkeypatch.setenv("SUPERVISION_STORE", url)
    store = engine(url)
    install_demo_users(store)
    supervisor = Access("supervisor", "supervisor", "HI000", "琼")
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        ledger.record_visit(store, con, supervisor, court="HI720",
                            visit_on=DEMO_END - dt.timedelta(days=30), members="督导组",
                            opinions=[ledger.Opinion(
                                "逐案清理超期未结案件", "执行局长", DEMO_END - dt.timedelta(days=10),
                                index_code="termination_qualified")])
        [item] = ledger.items(store, ("HI720",))["id"].to_list()
        ledger.update_item(store, con, supervisor, item_id=item, read_version=1,
                           status="in_progress", note="已清理12件")
    finally:
        con.close()


@pytest.mark.parametrize("page_file", ["pages/pending.py", "pages/explorer.py",
                                       "pages/targets.py", "pages/province.py",
                                       "pages/court_brief.py", "pages/termination_audit.py",
                                       "pages/settlements.py", "pages/escalation.py"])
def test_english_tables_hold_no_chinese_vocabulary(app, store_with_a_visit, page_file):
    """Every dataframe and table in English mode: headers and values in English, except the
    data's own text (case numbers, respondents, judges, and what a delegation wrote in the
    ledger: the brief's open items, from this test's own store)."""
    import re

    cjk = re.compile(r"[\u3400-\u9fff]")
    data_columns = {"Case number", "Respondent", "Judge", "Requirement", "Owner", "Progress"}
    app.query_params["lang"] = "en"
    app.query_params["court"] = "HI720"
    login(app, "supervisor")
    app.switch_page(page_file)
    app.run()
    assert not app.exception
    frames = [d.value for d in app.dataframe] + [tb.value for tb in app.table]
    assert frames
    if page_file == "pages/court_brief.py":     # the open item, every column filled
        [items] = [f for f in frames if "Requirement" in f.columns]
        assert items.to_dict("records") == [{
            "Requirement": "逐案清理超期未结案件", "Owner": "执行局长",
            "Due": DEMO_END - dt.timedelta(days=10), "Status": "in progress",
            "Overdue": "Overdue", "Linked index": "Qualified terminations",
            "Progress": "已清理12件"}], items
    for frame in frames:
        assert not [c for c in frame.columns if cjk.search(str(c))], list(frame.columns)
        for column in frame.columns:
            if column in data_columns:
                continue
            bad = [v for v in frame[column].tolist() if isinstance(v, str) and cjk.search(v)]
            assert not bad, (page_file, column, bad[:3])


def test_the_termination_audit_names_missing_conditions(app):
    """On the demo data: the audit's unqualified cases each name what they miss, in the
    vocabulary's words; its figures are the 3+1 index's."""
    app.query_params["court"] = "HI720"
    login(app, "supervisor")
    app.switch_page("pages/termination_audit.py")
    app.run()
    assert not app.exception
    assert app.title[0].value.startswith("终本审查")
    metrics = {m.label: m.value for m in app.metric}
    assert int(metrics["终本结案"].replace(",", "")) > 0
    tables = [d.value for d in app.dataframe if "缺少的条件" in d.value.columns]
    if tables:     # the demo may have no unqualified 终本 for a court in a given year
        words = set("、".join(tables[0]["缺少的条件"]).split("、"))
        assert words <= {"执行通知", "限制消费", "纳入失信", "网络查控", "现场调查", "告知申请人",
                         "立案不满3个月"}, words


def test_the_respondent_page_opens_from_a_search(app):
    app.query_params["court"] = "HI720"
    login(app, "supervisor")
    app.switch_page("pages/respondent.py")
    app.run()
    assert not app.exception
    app.text_input(key="r_query").input("公司").run()
    assert not app.exception
    found = app.dataframe[0].value
    assert found.shape[0] >= 1 and "被执行人" in found.columns


def test_the_roadmap_feeds_the_pending_timetable(app):
    app.query_params["court"] = "HI720"
    login(app, "supervisor")
    app.switch_page("pages/roadmap.py")
    app.run()
    assert not app.exception
    assert app.title[0].value.startswith("达标路线图")
    app.switch_page("pages/pending.py")
    app.run()
    app.toggle(key="pending_by_roadmap").set_value(True).run()
    assert not app.exception


def test_a_user_whose_court_is_not_in_the_data_is_told_so(demo_db, tmp_path, monkeypatch):
    """The demo supervisor's court (HI000) is not in a database of courts A, B, C: the
    sidebar says so instead of failing on an empty court list (demo_db: the demo users)."""
    from tests.conftest import make_db

    make_db(tmp_path / "other.duckdb").close()
    monkeypatch.setenv("SUPERVISION_DB", str(tmp_path / "other.duckdb"))
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"),
                           default_timeout=60)
    login(at, "supervisor")
    assert not at.exception
    assert [e.value for e in at.error] == [
        "案件数据中没有您可以查看的法院（您所在的法院不在已导入的数据中）。请联系管理员。"]


def supervisor_on(as_of: str, **params: str) -> AppTest:
    """The app on SUPERVISION_DB as of `as_of` (and any other URL `params`), the demo
    supervisor logged in."""
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"),
                           default_timeout=60)
    at.query_params.update({"as_of": as_of, **params})
    return login(at, "supervisor")


def test_the_targets_page_tells_a_court_its_pace_loses_that_it_is_in_the_top_k_now_only(
        demo_db, tmp_path, monkeypatch):
    """The five-line case of tests/test_official_position.py, worked by hand there: the
    supervisor's court (HI000) is 1st of 2 now (top 1) and 2nd by the year end at the
    pace of the last 8 weeks, needing 3 more of its 5 pending cases. The page says so in
    the brief's sentence, as a warning: no green "meets the target" (demo_db: the demo
    users)."""
    from tests.conftest import make_db
    from tests.test_official_position import pace_lost_cases

    db = make_db(tmp_path / "pace.duckdb", [("HI000", "琼"), ("HI720", "琼")])
    db.execute("UPDATE targets SET target_rank = 1, min_concluded = 3")
    add_cases(db, *pace_lost_cases("HI000", "HI720"))
    db.close()
    monkeypatch.setenv("SUPERVISION_DB", str(tmp_path / "pace.duckdb"))
    at = supervisor_on("2026-06-30")
    at.switch_page("pages/targets.py")
    at.run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [], [c.value for c in at.caption]
    assert "2026-06-30" in " ".join(c.value for c in at.caption), [c.value for c in at.caption]
    assert [w.value for w in at.warning][0] == (
        "目前在前1名内（第 1 名）；按近8周进度推算，在现有进度之外，年底前还需多执行完毕 3 件"
        "（现有未结 5 件），不多于现有未结案件数（只是件数的比较；这些案件预计能执行完毕多少，"
        "见达标路线图）。")
    # HI720, 2nd now: (1 + 4) ÷ 8 against the cutoff 3/4, ⌈(¾·8 − 5) ÷ ¼⌉ = 4 short, with
    # 1 pending case; by its pace 1st at the year end. Red for now, and no "cannot be
    # reached" from today's gap against today's pending cases: its pace reaches it.
    other = supervisor_on("2026-06-30", court="HI720")
    other.switch_page("pages/targets.py")
    other.run()
    assert not other.exception, other.exception
    assert [e.value for e in other.error] == [
        "目前未进入前1名（第 2 名，差 4 件）；按近8周进度预计年底在前1名内。"]
    assert not other.success and not other.warning


def _amount_db(tmp_path: Path, last_day: dt.date) -> Path:
    """tests/test_official_position.py's amount case: the overall target on the amount
    recovery rate, top 1; HI000 recovered 3,000,000 of 4,000,000 yuan, HI720 3,900,000, all
    concluded 1 February 2026; a case filed on `last_day` (the data's last day)."""
    from tests.conftest import closed, make_db

    path = tmp_path / "amount.duckdb"
    db = make_db(path, [("HI000", "琼"), ("HI720", "琼")])
    db.execute("UPDATE targets SET target_rank = 1, min_concluded = 3")
    db.execute("UPDATE targets SET metric = 'amount_recovery_rate' WHERE target = 'overall'")
    million = 1_000_000.0
    add_cases(db, *[closed(f"{court}{i}", court, dt.date(2026, 1, 2), dt.date(2026, 2, 1),
                           "fully_performed" if i < 3 else "terminated_current",
                           amount_applied=million,
                           amount_recovered=million if i < 3 else last)
                    for court, last in (("HI000", 0.0), ("HI720", 900_000.0))
                    for i in range(4)],
              closed("HI720new", "HI720", last_day, None, None))
    db.close()
    return path


def test_on_the_years_last_day_the_need_is_not_spread_over_no_weeks(demo_db, tmp_path,
                                                                     monkeypatch):
    """As of 31 December no week is left: the amount case still needs 900,000 yuan (no
    pace), said without a per-week figure (it read "0.00 万元 a week over 0.0 weeks")."""
    monkeypatch.setenv("SUPERVISION_DB", str(_amount_db(tmp_path, dt.date(2026, 12, 31))))
    at = supervisor_on("2026-12-31")
    at.switch_page("pages/targets.py")
    at.run()
    assert not at.exception, at.exception
    assert ("按各院现有进度推算，要达到预计的前1名线，还需多执行到位 90.00 万元（今天是本年最后一天）。"
            in texts(at))
    assert "每周再多" not in texts(at)


def test_the_amount_metric_is_named_and_gapped_in_yuan_on_every_page(demo_db, tmp_path,
                                                                      monkeypatch):
    """tests/test_official_position.py's amount case, worked by hand there, with the
    supervisor's court HI000 as A (2nd, 900,000 yuan short) and HI720 as B: the targets
    page's gap card is in 万元 and its verdict says so; the province page and the brief
    open with the metric's name and no error (demo_db: the demo users)."""
    monkeypatch.setenv("SUPERVISION_DB", str(_amount_db(tmp_path, dt.date(2026, 6, 30))))
    at = supervisor_on("2026-06-30")
    assert not at.exception, at.exception
    # the province page (the supervisor's first): the rate by its metric's name
    assert any("执行到位率 %" in str(frame.value.columns) for frame in at.dataframe)
    at.switch_page("pages/targets.py")
    at.run()
    assert not at.exception, at.exception
    assert _metric(at, "距名线差距（今日，万元）") == "90.00"
    # the province ranking beside it: ranked on the amount rate, and showing that rate
    [provinces] = [f.value for f in at.dataframe if "省份" in f.value.columns]
    assert "执行到位率 %" in provinces.columns and "实际执行率 %" not in provinces.columns
    # (the sentence as markdown: md() escapes what markdown would read, e.g. "90\.00")
    assert [e.value for e in at.error] == [md(
        "目前未进入前1名（第 2 名，差 90.00 万元）；按近8周进度推算，在现有进度之外，"
        "年底前还需多执行到位 90.00 万元。")]
    # spread over the 184 ÷ 7 = 26.3 weeks left: 900,000 ÷ 26.29 = 34,239 yuan a week,
    # 3.43 万元 rounded up to the hundred yuan
    assert ("年底前还需多执行到位 90.00 万元；平均到剩余 26.3 周，即在本院现有进度之外每周再多执行到位 "
            "3.43 万元。") in texts(at)
    at.switch_page("pages/court_brief.py")
    at.run()
    assert not at.exception, at.exception
    at.switch_page("pages/roadmap.py")
    at.run()
    assert not at.exception, at.exception
    assert [i.value for i in at.info] == [
        "该排名按执行到位率：按近8周进度推算，要达到预计的前1名线，年底前还需多执行到位 90.00 万元。"
        "达标路线图按执行完毕的件数排期，不适用于金额指标。"]
