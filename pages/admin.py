"""Admin: users (add, disable, reset password) and data imports. Admins see no cases."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from supervision import users
from supervision.importer import UnreadableFile, import_files
from supervision.ui import state
from supervision.ui.i18n import t

access = state.current_access()
if access is None or "admin" not in access.pages:
    st.error("无权访问此页面。 / You may not open this page.")
    st.stop()
st.title(t("page_admin"))
con = state.con()

st.subheader(t("users"))
st.dataframe(users.list_users(con), hide_index=True, width="stretch")

with st.form("add_user", clear_on_submit=True):
    st.markdown(f"**{t('add_user')}**")
    c1, c2, c3 = st.columns(3)
    username = c1.text_input("username")
    name = c2.text_input("display name")
    role = c3.selectbox("role", users.ROLES)
    c4, c5 = st.columns(2)
    court = c4.text_input("court code", help="president: own court; supervisor/analyst: higher court")
    password = c5.text_input("password", type="password")
    if st.form_submit_button(t("add_user")):
        try:
            users.add_user(con, username.strip(), name.strip() or username, "", role,
                           court.strip() or None, password)
            st.success(f"{username} ✓")
        except users.UserError as exc:
            st.error(str(exc))

c1, c2 = st.columns(2)
with c1.form("disable_user"):
    who = st.text_input("username", key="disable_name")
    if st.form_submit_button("disable"):
        try:
            users.disable_user(con, who.strip())
            st.success(f"{who} disabled")
        except users.UserError as exc:
            st.error(str(exc))
with c2.form("reset_password", clear_on_submit=True):
    who = st.text_input("username", key="reset_name")
    new = st.text_input("new password", type="password")
    if st.form_submit_button("set password"):
        try:
            users.set_password(con, who.strip(), new)
            st.success(f"{who} ✓")
        except users.UserError as exc:
            st.error(str(exc))

st.subheader(t("import_data"))
kinds = {"courts": "courts", "case_types": "case types", "cases": "cases",
         "petitions": "petitions"}
uploads = {k: st.file_uploader(label, type=["csv", "xlsx", "parquet"], key=f"up_{k}")
           for k, label in kinds.items()}
if st.button(t("import_data"), disabled=not any(uploads.values())):
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for kind, upload in uploads.items():
            if upload is not None:
                path = Path(tmp) / upload.name
                path.write_bytes(upload.getvalue())
                files[kind] = path
        try:
            results = import_files(con, files)
        except UnreadableFile as exc:
            st.error(f"{exc} — nothing was imported")
            st.stop()
    state.view.clear()  # new data: every cached page result is stale
    for r in results:
        st.write(f"{r.path.name}: {r.rows:,} rows, {r.stored:,} stored, "
                 f"{r.rejected_rows:,} rejected")
        if r.rejects.height:
            st.dataframe(r.rejects, hide_index=True, width="stretch")
            st.download_button(f"rejects {r.path.name}",
                               data=r.rejects.write_csv().encode("utf-8-sig"),
                               file_name=f"{r.path.name}.rejects.csv", key=f"rej_{r.table}")
