"""The Streamlit layer. The words below it read the session's language through this hook,
so that they need no Streamlit themselves."""

import streamlit as st

from supervision.words import i18n

i18n.read_session_language_with(lambda: st.session_state.get("lang"))
