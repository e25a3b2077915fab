"""Streamlit-side helpers: translation, shared state and filters, formatting, charts."""
