"""The dashboard's server: app.py served by Streamlit's st.App, with the login cookie's
routes and the client hardening of supervision.web (security headers, the websocket's
allowed origins). `python -m supervision serve` runs `streamlit run dashboard.py` after
its warm-up; app.py stays the Streamlit script (pages/, .streamlit/config.toml as before).
"""

import streamlit as st

from supervision import web

app = st.App("app.py", routes=web.routes(), middleware=web.middleware())
