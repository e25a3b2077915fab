"""The dashboard's server: app.py served by Streamlit's st.App, with the login cookie's
routes and the client hardening of supervision.web (security headers, the websocket's
allowed origins). `python -m supervision serve` runs `streamlit run dashboard.py` after
its warm-up; app.py stays the Streamlit script (pages/, .streamlit/config.toml as before).
"""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from supervision import web

# app.py routes with st.navigation only. Until a process has run st.navigation once,
# Streamlit takes an app beside a pages/ folder for an old-style one and looks a requested
# page up by file name: the first session after a start that opens a link such as
# /brief?court=… got "Page not found" (tests/test_browser_deep_links.py). Streamlit sets
# this flag itself at the first st.navigation call; here it is set before any session.
PagesManager.uses_pages_directory = False

app = st.App("app.py", routes=web.routes(), middleware=web.middleware())
