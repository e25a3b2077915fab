"""Admin: users (add, disable, enable, reset password, enroll or remove a second factor),
data imports and the audit trail.
Admins see no cases. Every change goes through supervision.security.users / the import command and
lands in the audit trail."""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

import polars as pl
import segno
import streamlit as st

from supervision.output.safe_output import md, safe_csv_bytes
from supervision.security import audit, users
from supervision.ui import data, exports, state
from supervision.ui.tables import display_names, person
from supervision.words.fmt import local_time_column, time_header
from supervision.words.i18n import enum, enum_column, headers, t
from supervision.workflow import drop_folder, import_command
from supervision.workflow.import_command import UPLOAD_SUFFIXES

AUDIT_EXPORT_ROWS = 100_000

access = state.guard("admin")
st.title(t("page_admin"))
store = data.store()


def done(what: str) -> None:
    st.success(t("done", what=md(what)))


def court_exists(code: str) -> bool:
    return bool(data.con().execute("SELECT count(*) FROM courts WHERE court_code = ?",
                                    [code]).fetchall()[0][0])


# ------------------------------------------------------------------ users

st.subheader(t("users"))
st.dataframe(headers(users.list_users(store).with_columns(
    enum_column("role"),
    pl.col("court_code").fill_null("—"))), hide_index=True, width="stretch")

with st.form("add_user", clear_on_submit=True):
    st.markdown(f"**{t('add_user')}**")
    c1, c2, c3 = st.columns(3)
    username = c1.text_input(t("username"))
    name = c2.text_input(t("display_name"))
    role_names = {r: enum(r) for r in users.ROLES}
    role = c3.selectbox(t("role"), users.ROLES, format_func=lambda r: role_names.get(r, r))
    c4, c5 = st.columns(2)
    court = c4.text_input(t("court"), help=t("court_code_help"))
    password = c5.text_input(t("password"), type="password")
    if st.form_submit_button(t("add_user")):
        try:
            added = users.add_user(store, username, name.strip() or username, "", role,
                                   court.strip() or None, password, actor=access.username,
                                   court_exists=court_exists)
            done(added)
        except users.UserError as exc:
            st.error(md(str(exc)))

# one small form per account action: (form key, button label, the action, asks a password)
ACTIONS = (("disable_user", "disable_user", users.disable_user, False),
           ("enable_user", "enable_user", users.enable_user, False),
           ("reset_password", "set_password", users.set_password, True))
for column, (key, label, action, asks_password) in zip(st.columns(len(ACTIONS)), ACTIONS,
                                                         strict=True):
    with column.form(key, clear_on_submit=True):
        who = st.text_input(t("username"), key=f"{key}_name")
        new = st.text_input(t("new_password"), type="password") if asks_password else None
        if st.form_submit_button(t(label)):
            try:
                if asks_password:
                    action(store, who, new, actor=access.username)
                else:
                    action(store, who, actor=access.username)
                done(who)
            except users.UserError as exc:
                st.error(md(str(exc)))

# ------------------------------------------------------------------ second factor

st.subheader(t("second_factor"))
st.caption(t("second_factor_caption"))
with st.form("totp"):
    totp_user = st.selectbox(t("username"), users.list_users(store)["username"].to_list(),
                             key="totp_user")
    c1, c2 = st.columns(2)
    enroll = c1.form_submit_button(t("totp_enroll"))
    remove = c2.form_submit_button(t("totp_reset"))
if totp_user and (enroll or remove):
    try:
        if enroll:
            uri = users.totp_uri(totp_user, users.enroll_totp(store, totp_user,
                                                              actor=access.username))
            # shown in this run only: the next click anywhere hides the secret
            qr = io.BytesIO()
            segno.make(uri, error="m").save(qr, kind="png", scale=6, border=4)
            st.image(qr.getvalue(), caption=t("totp_scan", user=md(totp_user)), width=240)
            st.code(uri, language=None)
        else:
            users.reset_totp(store, totp_user, actor=access.username)
            done(totp_user)
    except users.UserError as exc:
        st.error(md(str(exc)))

# ------------------------------------------------------------------ imports


def safe_download_name(client_name: str) -> str:
    """The client's file name for display in a download name only: no path, no oddities."""
    base = re.sub(r"[^\w.\-]+", "_", Path(client_name.replace("\\", "/")).name, flags=re.U)
    return base.strip("._")[:80] or "upload"


def run_import(files: dict[str, Path], rejects_dir: Path) -> tuple[list[dict] | None, str]:
    """The import command in its own processes (supervision.workflow.import_command): the
    figures read back, or the error in words; a failure the command could not record is
    recorded here."""
    outcome = import_command.run(data.db_path(), files, rejects_dir, access.username)
    if outcome.figures is None and not outcome.recorded:
        import_failed(files, outcome.error)
    return outcome.figures, outcome.error


def import_failed(files: dict[str, Path], error: str) -> str:
    """An import the command could not report itself, recorded here."""
    audit.record(store, access.username, "import_failed", str(data.db_path()), error=error,
                 files={t: p.name for t, p in files.items()})
    return error


st.subheader(t("import_data"))
uploads = {k: st.file_uploader(t("upload_kind", kind=enum(k)), type=sorted(
    s.lstrip(".") for s in UPLOAD_SUFFIXES), key=f"up_{k}") for k in import_command.TABLES}
if st.button(t("import_data"), disabled=not any(uploads.values())):
    with tempfile.TemporaryDirectory(prefix="supervision-upload-") as tmp:
        files, shown = {}, {}
        for kind, upload in uploads.items():
            if upload is None:
                continue
            suffix = Path(upload.name).suffix.lower()
            # the client's file name is never a path: each upload gets a fixed name here
            path = Path(tmp) / f"{kind}{suffix if suffix in UPLOAD_SUFFIXES else '.csv'}"
            path.write_bytes(upload.getvalue())
            files[kind], shown[kind] = path, upload.name
        with st.spinner(t("importing", files=md(", ".join(shown.values())))):
            figures, error = run_import(files, Path(tmp))
        if figures is None:
            st.error(t("import_failed", error=md(error)))
        else:
            st.session_state["import_figures"] = [
                {**f, "shown": shown[f["table"]],
                 "rejects": Path(f["rejects_file"]).read_bytes() if f.get("rejects_file")
                 else None} for f in figures]
for f in st.session_state.get("import_figures", []):
    st.write(t("import_result", file=md(f["shown"]), rows=f"{f['rows']:,}",
               stored=f"{f['stored']:,}", new=f"{f['new']:,}", updated=f"{f['updated']:,}",
               unchanged=f"{f['unchanged']:,}", rejected=f"{f['rejected']:,}"))
    if f["rejects"]:
        name = f"{safe_download_name(f['shown'])}.rejects.csv"
        rejects, shown = f["rejects"], f["shown"]

        # the session re-checked and the file audited when clicked (no rerun on click)
        st.download_button(t("download_rejects", file=md(f["shown"])),
                           data=exports.checked_file(access, name, "import rejects",
                                                     lambda rejects=rejects: rejects,
                                                     file=shown),
                           file_name=name, mime="text/csv", key=f"rej_{f['table']}",
                           on_click="ignore")

# ------------------------------------------------------------------ drop folder

st.subheader(t("drop_runs_title"))
# the nightly `python -m supervision drop-import` runs, from the audit trail: one row per
# file with its outcome; a failed file is in failed/<run>/ with <file>.error.txt
drop_runs = drop_folder.runs(store, limit=20)
if not drop_runs.height:
    st.caption(t("drop_runs_none"))
else:
    failures = drop_runs.filter(pl.col("state") == "failed")
    if failures.height:
        st.error(t("drop_failures", n=failures.height))
        st.dataframe(headers(failures.select(
            local_time_column("at", time_header()), "run", "file", "error", "moved_to")),
            hide_index=True, width="stretch")
    st.dataframe(headers(drop_runs.with_columns(
        pl.col("state").fill_null("—"), pl.col("file").fill_null("—"))
        .select(local_time_column("at", time_header()), "run", "file", "table", "state",
                "rows", "stored", "rejected", "error", "moved_to")),
        hide_index=True, width="stretch")

# ------------------------------------------------------------------ audit trail

st.subheader(t("audit_title"))
c1, c2 = st.columns(2)
event_names = {"": t("all"), **{e: enum(e) for e in audit.EVENTS}}
event = c1.selectbox(t("audit_event"), ["", *sorted(audit.EVENTS)], key="audit_event",
                     format_func=lambda e: event_names.get(e, e))
actor = c2.text_input(t("audit_actor"), key="audit_actor")
trail = audit.entries(store, limit=2000, event=event or None, actor=actor.strip() or None)
# the actor's login name (what the filter above takes) with the person's name beside it;
# times in the court's zone, named in the header
people = display_names(store)
st.dataframe(headers(trail.with_columns(
    pl.col("detail", "target").fill_null("—"), enum_column("event"),
    person("actor", people, "display_name").fill_null("—"),
    pl.col("actor").fill_null("—"))
    .select("id", local_time_column("at", time_header()), "actor", "display_name", "event",
            "target", "detail")),
    hide_index=True, width="stretch")


# what the file holds, as read when clicked: the filters shown, at most AUDIT_EXPORT_ROWS
trail_filters = {"event": event or None, "actor": actor.strip() or None}
st.download_button(t("download_audit"),
                   data=exports.checked_file(
                       access, "audit-trail.csv", "audit trail",
                       lambda: safe_csv_bytes(audit.entries(store, limit=AUDIT_EXPORT_ROWS,
                                                            **trail_filters)),
                       filters=trail_filters, rows_at_most=AUDIT_EXPORT_ROWS),
                   file_name="audit-trail.csv", mime="text/csv", key="audit_csv",
                   on_click="ignore")
