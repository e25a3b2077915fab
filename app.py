"""The dashboard's router: log in, build the page list from the user's role, draw the one
shared filter set in the sidebar, then run the chosen page (pages/ holds layout only)."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import RerunException

from supervision.output.safe_output import md
from supervision.security.production import production_problems
from supervision.ui import data, login, sidebar, state, urls
from supervision.words.i18n import enum, t

# page_icon, on every run before st.navigation: the tab's icon stays this (a data: URL).
# Without it Streamlit sets the favicon to each page's `:material/…:` icon, fetched from
# fonts.gstatic.com: a request off the court network on every page change
# (the browser tests' guard: tests/browser_kit.py, GUARD_SCRIPT)
st.set_page_config(page_title="执行工作督导看板", page_icon="⚖️", layout="wide")

if "lang" not in st.session_state:
    st.session_state["lang"] = "en" if st.query_params.get("lang") == "en" else "zh"

st.markdown(f"<style>{(urls.ROOT / 'supervision' / 'ui' / 'app.css').read_text()}</style>",
            unsafe_allow_html=True)

store = data.store()
problems = production_problems(store)
if problems:
    st.error(t("production_refused") + "; ".join(problems))
    st.stop()


def language_switch() -> None:
    if st.sidebar.button(t("language"), key="lang_switch"):
        st.session_state["lang"] = "en" if st.session_state["lang"] == "zh" else "zh"
        sidebar.forget_labelled_widgets()
        st.rerun()
    urls.sync_params({"lang": "en" if st.session_state["lang"] == "en" else None})


PAGE_FILES = {
    "province": ("pages/province.py", "page_province", ":material/grid_view:"),
    "weekly": ("pages/weekly.py", "page_weekly", ":material/summarize:"),
    "publications": ("pages/publications.py", "page_publications", ":material/verified:"),
    "targets": ("pages/targets.py", "page_targets", ":material/flag:"),
    "roadmap": ("pages/roadmap.py", "page_roadmap", ":material/route:"),
    "brief": ("pages/court_brief.py", "page_brief", ":material/assignment:"),
    "pending": ("pages/pending.py", "page_pending", ":material/pending_actions:"),
    "termination": ("pages/termination_audit.py", "page_termination", ":material/fact_check:"),
    "settlements": ("pages/settlements.py", "page_settlements", ":material/handshake:"),
    "respondent": ("pages/respondent.py", "page_respondent", ":material/person_search:"),
    "escalation": ("pages/escalation.py", "page_escalation", ":material/campaign:"),
    "ledger": ("pages/ledger.py", "page_ledger", ":material/checklist:"),
    "explorer": ("pages/explorer.py", "page_explorer", ":material/search:"),
    "admin": ("pages/admin.py", "page_admin", ":material/admin_panel_settings:"),
}


def page(key: str) -> st.Page:
    path, title, icon = PAGE_FILES[key]
    return st.Page(path, title=t(title), icon=icon, url_path=key)


st.session_state.pop("_run_access", None)  # read again below, once, for this run
language_switch()
def login_page() -> None:
    st.title(t("app_title"))
    st.caption(t("login_hint"))
    login.form(store)


if login.current_user(store) is None:
    # Every page's path leads to the login form, with the navigation hidden: a copied
    # /brief link keeps its path (and is opened after logging in), and no link of the last
    # user's pages stays on screen after a logout.
    gate = st.navigation([st.Page(login_page, title=t("login_title"), url_path="login",
                                  default=True),
                          *(st.Page(login_page, title=t(title), url_path=key)
                            for key, (_path, title, _icon) in PAGE_FILES.items())],
                         position="hidden")
    if gate.url_path in PAGE_FILES:
        st.session_state["_requested_page"] = gate.url_path
    gate.run()
    st.stop()

access = state.current_access()
if access is None:
    # disabled or deleted since the session began: end it
    login.logout(store)
    st.rerun()
st.session_state["_run_access"] = access

role_pages = {p: page(p) for p in access.pages}


def landing() -> None:
    """Never drawn: the root URL switches to the role's first page (below)."""


# The root URL is a hidden landing page, not the role's first page: Streamlit serves its
# default page at "/" only, so /targets, a link a president opens while logged in, was
# "Page not found" when targets was that default. Every page keeps its own path this way.
home = st.Page(landing, title=t("app_title"), url_path="home", default=True,
               visibility="hidden")
# the paths of pages outside the role lead to the landing too (not to Streamlit's "Page
# not found"): a link a supervisor sends a president, /province, opens the president's
# first page
elsewhere = [st.Page(landing, title=t(title), url_path=key, visibility="hidden")
             for key, (_path, title, _icon) in PAGE_FILES.items() if key not in role_pages]
# expanded: every page of the role listed (Streamlit folds more than ten under "View more")
navigation = st.navigation([home, *role_pages.values(), *elsewhere], expanded=True)
# widgets after st.navigation: their identity is the same in every run of a page
st.sidebar.markdown(f"**{md(access.display_name or access.username)}** · "
                    f"{md(enum(access.role))}")
if st.sidebar.button(t("logout"), key="logout_button"):
    login.logout(store)
    st.rerun()
login.keep_cookie()
login.fold_sidebar_on_tablets()
# the landing page (its path is "", Streamlit's rule for the default) or another role's
at_home = navigation.url_path not in role_pages
current_page = navigation.url_path if not at_home else access.pages[0]
# a copied URL names its page in ?page=, so a new session lands on it after logging in
requested_page = st.query_params.get("page") or st.session_state.get("_requested_page")
if at_home or not st.session_state.get("_landed"):
    st.session_state["_landed"] = True
    if requested_page not in role_pages:
        requested_page = current_page
    if at_home or requested_page != current_page:
        st.switch_page(role_pages[requested_page], query_params=st.query_params.to_dict())

if access.sees_cases:
    reference = data.reference(access)
    filters, court, url_filters = sidebar.sidebar_filters(access, reference)
    st.session_state["_ctx"] = state.Context(access, filters, court, reference)

def mirror_view() -> None:
    """This run's page and filters in the address bar (after the page has run, so the URL
    keeps the page's path)."""
    urls.sync_params({"page": current_page})
    if access.sees_cases:
        urls.sync_params(url_filters)


switching = False
try:
    navigation.run()
except RerunException:
    # st.switch_page (a click-through) or st.rerun: the next run writes its own view. This
    # run's view written now would reach the browser after the switch's query and put the
    # old page and court back in the address bar, where the next run, finding its own
    # values already in st.query_params, would leave them.
    switching = True
    raise
finally:
    if not switching:
        mirror_view()
