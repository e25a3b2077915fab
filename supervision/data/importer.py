"""Importing cases, petitions and reference tables from CSV (UTF-8, UTF-8 with BOM, GBK),
XLSX or Parquet, with English or Chinese headers (format: docs/data-format.md).

Every row is either stored or reported back with file, row, column, value and reason.
Files are read in batches (supervision.data.filereader) and validated with polars; valid rows
are staged in DuckDB, where repeats within a file and petitions of unknown cases are found
across batches, and then applied in one transaction to a new version of the case database
(supervision.data.db.new_version). The figures reported (stored, new, updated, rejected) are
read back from the database after the commit; when they disagree with what validation
passed, the import fails and the served database stays as it was.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from supervision.data import filereader
from supervision.data.db import connect, new_version, record_load, transaction
from supervision.data.filereader import UnreadableFile
from supervision.data.import_process import duckdb_memory_limit
from supervision.domain import vocabulary
from supervision.domain.vocabulary import Column

SPECS: dict[str, tuple[tuple[Column, ...], str]] = {
    "courts": (vocabulary.COURT_COLUMNS, "court_code"),
    "case_types": (vocabulary.CASE_TYPE_COLUMNS, "code"),
    "cases": (vocabulary.CASE_COLUMNS, "case_number"),
    "petitions": (vocabulary.PETITION_COLUMNS, "petition_id"),
}
# every accepted spelling of each vocabulary's values (supervision.domain.vocabulary), lower-cased
MAPPINGS = {kind: vocabulary.spelling_map(terms) for kind, terms in vocabulary.VOCABULARIES.items()}
TABLE_ORDER = ("courts", "case_types", "cases", "petitions")  # later ones refer to earlier
MAX_AMOUNT = 1e16
# an import that changes at least this share of a table's rows writes the table anew
# (_rebuilt) rather than deleting them: DuckDB's COMMIT of a DELETE from a table keyed by a
# VARCHAR costs 15–29 µs a row (250,000 changed cases of 250,000: 7.3 s, 400,000 of 10 M: 5.9 s)
# and the re-insert ~3.4 µs, the table written anew ~3.4 µs a row it holds (10 M: 34 s;
# in key order 48 s); a million changed cases of 10 M ran out of DuckDB's 1 GB on the
# delete path
REBUILD_SHARE = 0.1
# the longest text a cell may hold (case numbers, names, ID numbers, judges: tens of
# characters); a longer one is a damaged file, rejected row by row
MAX_TEXT_CHARS = 300
REJECT_DETAIL_CAP = 100_000  # rejects listed line by line; beyond it, counts per reason
REJECT_SCHEMA = {"file": pl.String, "row": pl.Int64, "column": pl.String, "value": pl.String,
                 "reason": pl.String}


# ---------------------------------------------------------------- validating


def _header_map(columns: tuple[Column, ...]) -> dict[str, str]:
    out = {}
    for c in columns:
        out[c.name] = c.name
        out[c.name.lower()] = c.name
        out[c.zh] = c.name
    return out


def _parse_date(col: pl.Expr) -> pl.Expr:
    """2020-09-30, 2020/9/30, 2020年9月30日, or an XLSX date-time at midnight (a regular
    expression: about ten times the cost of an ISO parse)."""
    parts = (col.str.strip_chars().str.replace(r"[ T]00:00:00(\.0+)?$", "")
             .str.extract_groups(r"^(\d{4})\s*[-/年]\s*(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*日?$"))
    text = pl.concat_str([parts.struct[0], parts.struct[1].str.zfill(2),
                          parts.struct[2].str.zfill(2)], separator="-")
    return text.str.to_date("%Y-%m-%d", strict=False)


def _parse_iso_date(col: pl.Expr) -> pl.Expr:
    """2020-09-30 exactly: a date whose ISO text is the cell's, else None."""
    parsed = col.str.to_date("%Y-%m-%d", strict=False)
    return pl.when(parsed.cast(pl.String) == col).then(parsed)


def _dates(frame: pl.DataFrame, columns: list[str]) -> dict[str, pl.Expr]:
    """Each date column parsed: ISO dates (what exports write) by a plain parse when every
    filled cell of this batch is one, else by the parse that accepts every spelling. Both
    give the same date for an ISO cell; a batch with one other spelling takes the general
    one."""
    text = frame.select(pl.col(c).str.strip_chars() for c in columns)
    iso = text.select(_parse_iso_date(pl.col(c)) for c in columns)
    filled = text.select((pl.col(c).str.len_bytes() > 0).sum() for c in columns)
    # every filled cell read as ISO: the batch keeps the ISO parse
    return {c: pl.lit(iso[c]) if iso[c].count() == filled[c][0]
            else _parse_date(pl.col(f"_raw_{c}")) for c in columns}


def _parse_amount(col: pl.Expr) -> pl.Expr:
    return (col.str.strip_chars().str.replace_all(r"[,，¥￥元\s]", "")
            .cast(pl.Float64, strict=False))


def _parse_bool(col: pl.Expr) -> pl.Expr:
    v = col.str.strip_chars().str.to_lowercase()
    return (pl.when(v.is_in(vocabulary.TRUE_WORDS)).then(True)
            .when(v.is_in(vocabulary.FALSE_WORDS)).then(False)
            .otherwise(None))


def _parse_mapping(col: pl.Expr, mapping: dict[str, str]) -> pl.Expr:
    """Any accepted spelling (case-insensitive) -> its code; None if unknown."""
    return col.str.strip_chars().str.to_lowercase().replace_strict(
        mapping, default=None, return_dtype=pl.String)


Check = tuple[str, pl.Expr, str]   # column, "this cell is bad", reason


def _typed(frame: pl.DataFrame, columns: tuple[Column, ...], known: Known
           ) -> tuple[pl.DataFrame, list[Check]]:
    """Parse every column; return the typed frame (with the untouched `_raw_` text and an
    `_empty_` flag per column) and the checks, which read the parsed columns rather than
    parse again."""
    exprs, checks = [], []
    dates = _dates(frame, [c.name for c in columns if c.kind == "date"])
    for c in columns:
        raw = pl.col(f"_raw_{c.name}").str.strip_chars()
        empty = raw.is_null() | (raw == "")
        is_empty, value = pl.col(f"_empty_{c.name}"), pl.col(c.name)
        if c.kind == "date":
            parsed = dates[c.name]
            bad = value.is_null()
            reason = "not a date (use 2020-09-30, 2020/9/30 or 2020年9月30日)"
        elif c.kind == "amount":
            parsed = _parse_amount(raw)
            # DECIMAL(18, 2) holds below 10^16; 1e400 parses as infinity
            bad = value.is_null() | value.is_nan() | (value < 0) | (value >= MAX_AMOUNT)
            reason = "not an amount in yuan from 0 to 9,999,999,999,999,999.99"
        elif c.kind == "bool":
            parsed = _parse_bool(raw)
            bad = value.is_null()
            reason = "not true/false (是/否)"
        elif c.kind in MAPPINGS:
            parsed = _parse_mapping(raw, MAPPINGS[c.kind])
            bad = value.is_null()
            reason = f"not a known {c.name} ({', '.join(sorted(set(MAPPINGS[c.kind].values())))})"
        elif c.kind == "court":
            parsed = raw
            bad = ~value.is_in(list(known.courts))
            reason = "unknown court code"
        elif c.kind == "case_type":
            parsed = raw.replace_strict(known.case_types, default=None, return_dtype=pl.String)
            bad = value.is_null()
            reason = "unknown case type"
        else:
            parsed = raw
            bad = value.str.len_chars() > MAX_TEXT_CHARS
            reason = f"longer than {MAX_TEXT_CHARS} characters"
        if c.default is not None:
            # an empty cell takes the default; a filled one that does not parse is bad
            parsed = pl.when(empty).then(_default(c)).otherwise(parsed)
        exprs += [parsed.alias(c.name), empty.alias(f"_empty_{c.name}")]
        checks.append((c.name, ~is_empty & bad, reason))
        if c.required:
            checks.append((c.name, is_empty, "required value is empty"))
    return frame.with_columns(pl.col(c.name).alias(f"_raw_{c.name}") for c in columns
                              ).with_columns(exprs), checks


def _default(c: Column) -> pl.Expr:
    if c.kind == "amount":
        return pl.lit(float(c.default))
    return pl.lit(c.default)


def _case_checks() -> list[Check]:
    closed = pl.col("closed_on").is_not_null()
    method = pl.col("closing_method").is_not_null()
    return [
        ("closed_on", closed & (pl.col("closed_on") < pl.col("filed_on")),
         "closing date is before the filing date"),
        ("closing_method", closed & ~method & pl.col("_raw_closing_method").is_null(),
         "a closed case needs its closing method"),
        ("closing_method", ~closed & method & pl.col("_raw_closed_on").is_null(),
         "a closing method needs a closing date"),
        ("settlement_due_on", pl.col("settlement_due_on") < pl.col("settlement_on"),
         "settlement due date is before the settlement date"),
    ]


def _petition_checks() -> list[Check]:
    return [("resolved_on", pl.col("resolved_on") < pl.col("received_on"),
             "resolved before it was received")]


@dataclass
class Known:
    """Codes a row may refer to: the database's plus those imported in the same run."""
    courts: list[str]
    case_types: dict[str, str]  # code or Chinese name -> code


def validate_batch(table: str, path: Path, frame: pl.DataFrame, known: Known
                   ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One batch of a file (text cells with `_row`, headers already normalized) split into
    typed valid rows (with `_row`) and rejects (one line per problem)."""
    columns, _ = SPECS[table]
    typed, checks = _typed(frame, columns, known)
    if table == "cases":
        checks += _case_checks()
    elif table == "petitions":
        checks += _petition_checks()
    # each check a boolean column (NULL: not bad); reasons are spelt out for bad rows only,
    # so a clean batch stays cheap
    checked = typed.with_columns(is_bad.fill_null(False).alias(f"_chk{i}")
                                 for i, (_, is_bad, _) in enumerate(checks))
    check_cols = [f"_chk{i}" for i in range(len(checks))]
    has_problem = pl.any_horizontal(check_cols)
    problem_rows = checked.filter(has_problem)
    reasons = pl.DataFrame({"check": check_cols, "column": [c for c, _, _ in checks],
                            "reason": [r for _, _, r in checks]})
    problems = (problem_rows.select("_row", *check_cols)
                .unpivot(index="_row", variable_name="check", value_name="bad")
                .filter("bad").join(reasons, on="check").select("_row", "column", "reason"))
    raw = problem_rows.select("_row", *[pl.col(f"_raw_{c.name}").alias(c.name) for c in columns])
    rejects = (problems
               .join(raw.unpivot(index="_row", variable_name="column", value_name="value"),
                     on=["_row", "column"], how="left")
               .select(file=pl.lit(str(path)), row="_row", column="column", value="value",
                       reason="reason")
               .cast(REJECT_SCHEMA))
    valid = checked.filter(~has_problem).select("_row", *[c.name for c in columns])
    if table == "cases":
        valid = valid.with_columns(pl.col("amount_applied").round(2),
                                   pl.col("amount_recovered").round(2))
    return valid, rejects


# ---------------------------------------------------------------- reporting


@dataclass
class FileReport:
    """What happened to one file. Every count but `rows` and the rejects is read back from
    the database after the commit."""
    table: str
    path: Path
    rows: int = 0                 # data rows in the file
    stored: int = 0               # rows of the file now in the database with the file's values
    new: int = 0                  # of which were not in the database before
    updated: int = 0              # of which replaced different values
    rejected_rows: int = 0
    rejects: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REJECT_SCHEMA))
    reject_counts: Counter = field(default_factory=Counter)  # (column, reason) -> lines
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> int:
        return self.stored - self.new - self.updated

    @property
    def rejects_listed(self) -> int:
        return self.rejects.height

    @property
    def reject_lines(self) -> int:
        return sum(self.reject_counts.values())

    def add_rejects(self, frame: pl.DataFrame, cap: int) -> None:
        if frame.height == 0:
            return
        self.rejected_rows += frame["row"].n_unique()
        for column, reason, n in frame.group_by("column", "reason").len().iter_rows():
            self.reject_counts[(column, reason)] += n
        room = cap - self.rejects.height
        if room > 0:
            self.rejects = pl.concat([self.rejects, frame.sort("row", "column").head(room)])


class ImportMismatch(Exception):
    """The database after the commit disagrees with what validation passed: the new
    version is discarded and the served database is unchanged."""


# ---------------------------------------------------------------- importing


def import_files(db_path: str | Path, files: dict[str, Path], *,
                 reject_cap: int = REJECT_DETAIL_CAP) -> list[FileReport]:
    """Validate every file and store all valid rows in one new version of the database.

    `files` maps a table name (courts, case_types, cases, petitions) to a path. Raises
    UnreadableFile, before anything is written, if any file cannot be read; raises
    ImportMismatch (nothing stored) if the database does not read back what was written."""
    db_path = Path(db_path)
    unknown = set(files) - set(SPECS)
    if unknown:
        raise ValueError(f"unknown tables: {', '.join(sorted(unknown))}")
    with filereader.workdir() as tmp:
        sources = {t: filereader.open_source(Path(p), Path(tmp)) for t, p in files.items()}
        headers = {t: _header_plan(s, SPECS[t][0]) for t, s in sources.items()}
        with new_version(db_path) as work:
            con = connect(work)
            # bounded memory: DuckDB evicts to disk (the work file's .tmp folder) beyond
            # this instead of growing
            con.execute(f"SET memory_limit = '{duckdb_memory_limit()}'")
            con.execute("SET preserve_insertion_order = false")
            # valid rows wait in a scratch database of their own, so the stage never bloats
            # the data; an in-memory one, which spills under the memory limit like the rest
            # (a 1 M-row stage on disk cost 1.6 s of writing, in memory 0.5 s)
            con.execute("ATTACH ':memory:' AS stage")
            try:
                reports = _import_into(con, sources, headers, reject_cap)
                con.execute("DETACH stage")
                con.execute("CHECKPOINT")
            finally:
                con.close()
    _check_served(db_path, reports)
    return reports


def _import_into(con: duckdb.DuckDBPyConnection, sources: dict[str, filereader.Source],
                 headers: dict[str, tuple[dict[str, str], list[str]]],
                 reject_cap: int) -> list[FileReport]:
    reports: list[FileReport] = []
    before: dict[str, int] = {}
    fresh: dict[str, int] = {}   # staged rows whose key is not stored yet
    for table in TABLE_ORDER:
        if table not in sources:
            continue
        renames, ignored = headers[table]
        report = FileReport(table, sources[table].path, ignored_columns=ignored)
        _stage(con, table, sources[table], renames, report, reject_cap)
        reports.append(report)
    with transaction(con):
        for report in reports:
            before[report.table] = _count(con, report.table)
            fresh[report.table] = _new_keys(con, report.table)
            report.updated = _apply(con, report.table, before[report.table],
                                    fresh[report.table])
    # read back after the commit: the stage still holds what validation passed
    for report in reports:
        _read_back(con, report, before[report.table], fresh[report.table])
        record_load(con, "import", report.path.name, report.stored)
    return reports


def _header_plan(source: filereader.Source, columns: tuple[Column, ...]
                 ) -> tuple[dict[str, str], list[str]]:
    """File header -> column name, and the ignored headers; a missing required column makes
    the file unreadable."""
    known = _header_map(columns)
    renames, ignored, seen = {}, [], set()
    for name in source.header:
        target = known.get(name) or known.get(name.lower())
        if target is None or target in seen or name in renames:
            ignored.append(name)
            continue
        renames[name] = target
        seen.add(target)
    missing = [f"{c.zh} ({c.name})" for c in columns if c.required and c.name not in seen]
    if missing:
        raise UnreadableFile(f"{source.path}: missing required column(s): {', '.join(missing)}")
    return renames, ignored


def _known(con: duckdb.DuckDBPyConnection) -> Known:
    """Courts and case types of the database, including those staged by this import."""
    courts = [r[0] for r in con.execute("SELECT court_code FROM courts").fetchall()]
    types: dict[str, str] = {}
    for code, name in con.execute("SELECT code, name FROM case_types").fetchall():
        types[code] = code
        types[name] = code
    for table, key in (("courts", "court_code"), ("case_types", "code")):
        if _staged(con, table):
            rows = con.sql(f"SELECT * FROM {_stage_name(table)}").pl()
            if table == "courts":
                courts += rows[key].to_list()
            else:
                for code, name in rows.select("code", "name").iter_rows():
                    types[code] = code
                    types[name] = code
    return Known(courts, types)


def _stage_name(table: str) -> str:
    return f"stage.{table}"  # table names come from SPECS, never from a file


def _staged(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = "
                            "'stage' AND table_name = ?", [table]).fetchall()[0][0])


def _stage(con: duckdb.DuckDBPyConnection, table: str, source: filereader.Source,
           renames: dict[str, str], report: FileReport, reject_cap: int) -> None:
    """Validate the file batch by batch into a stage table (in the scratch database) with
    the target table's column types; then reject repeats and, for petitions, unknown
    cases."""
    columns, key = SPECS[table]
    names = [c.name for c in columns]
    stage = _stage_name(table)
    cols = ", ".join(names)
    con.execute(f"CREATE OR REPLACE TABLE {stage} AS "
                f"SELECT 0::BIGINT AS _row, {cols} FROM main.{table} LIMIT 0")
    known = _known(con)
    for frame, ragged in filereader.batches(source):
        report.rows += frame.height + len(ragged)
        frame = frame.select("_row", *[pl.col(h).alias(n) for h, n in renames.items()])
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(c.name)
                                   for c in columns if c.name not in renames.values())
        valid, rejects = validate_batch(table, source.path, frame, known)
        report.add_rejects(pl.concat([pl.DataFrame(ragged, schema=REJECT_SCHEMA), rejects]),
                           reject_cap)
        if valid.height:
            con.register("_batch", valid.to_arrow())
            con.execute(f"INSERT INTO {stage} SELECT _row, {cols} FROM _batch")
            con.unregister("_batch")
    if table == "petitions":
        in_this_import = (" AND NOT EXISTS (SELECT 1 FROM stage.cases c "
                          "WHERE c.case_number = s.case_number)") if _staged(con, "cases") else ""
        _reject_in_stage(con, table, source, report, reject_cap, "case_number", f"""
            SELECT _row, case_number AS value,
                   'no such case in the database or this import' AS reason
            FROM {stage} s
            WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.case_number = s.case_number)
            {in_this_import}""")
    # a key repeated within the file: the first valid occurrence is stored
    _reject_in_stage(con, table, source, report, reject_cap, key, f"""
        SELECT _row, {key}::VARCHAR AS value,
               'repeated in this file; row ' || first_row || ' is stored' AS reason
        FROM (SELECT _row, {key}, min(_row) OVER (PARTITION BY {key}) AS first_row
              FROM {stage})
        WHERE _row <> first_row""")
    staged = _count(con, stage)
    if staged + report.rejected_rows != report.rows:
        raise ImportMismatch(f"{source.path}: {report.rows:,} rows read, but {staged:,} valid "
                             f"and {report.rejected_rows:,} rejected")


def _reject_in_stage(con: duckdb.DuckDBPyConnection, table: str, source: filereader.Source,
                     report: FileReport, reject_cap: int, column: str, select: str) -> None:
    """Move the staged rows that `select` names (`_row`, value, reason) to the rejects."""
    stage = _stage_name(table)
    found = con.sql(select).pl()
    if found.height == 0:
        return
    report.add_rejects(found.select(file=pl.lit(str(source.path)), row="_row",
                                    column=pl.lit(column), value="value", reason="reason"
                                    ).cast(REJECT_SCHEMA), reject_cap)
    con.register("_gone", found.select("_row").to_arrow())
    con.execute(f"DELETE FROM {stage} WHERE _row IN (SELECT _row FROM _gone)")
    con.unregister("_gone")


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def _new_keys(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Staged rows whose key the table does not hold yet: the rows the import adds."""
    key = SPECS[table][1]
    return con.execute(f"SELECT count(*) FROM {_stage_name(table)} s ANTI JOIN {table} t "
                       f"USING ({key})").fetchall()[0][0]


def _apply(con: duckdb.DuckDBPyConnection, table: str, stored_rows: int, new_keys: int) -> int:
    """Insert new keys and replace changed rows; identical rows are left untouched, so a
    re-import writes nothing. `stored_rows`: the table's rows before; `new_keys`: the
    staged rows whose key it does not hold (_new_keys). Returns how many existing rows
    change."""
    columns, key = SPECS[table]
    names = [c.name for c in columns]
    stage = _stage_name(table)
    cols = ", ".join(names)
    if table == "courts":
        # a court may name a province the database has not seen yet
        con.execute(f"""INSERT INTO provinces (province, name, name_en, sort_order)
                        SELECT DISTINCT province, province, province, 999 FROM {stage}
                        ON CONFLICT DO NOTHING""")
    others = [n for n in names if n != key]
    changed = " OR ".join(f"t.{n} IS DISTINCT FROM s.{n}" for n in others)
    # no staged key stored already (a file of new cases, as most are): no comparing every
    # column of every row (0.5 s per million)
    if new_keys == _count(con, stage):
        # in key order: the primary key's index is built and written faster (−0.6 s of
        # the commit per million rows)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage} ORDER BY {key}")
        return 0
    updates = con.execute(f"SELECT count(*) FROM {stage} s JOIN {table} t USING ({key}) "
                          f"WHERE {changed}").fetchall()[0][0]
    if updates >= REBUILD_SHARE * stored_rows and _rebuilt(con, table, key, names):
        return updates
    # a changed row is replaced: deleted, then inserted with the new rows below. DuckDB
    # appends in bounded memory, where a large UPDATE of referencing columns does not.
    con.execute(f"DELETE FROM {table} t USING {stage} s "
                f"WHERE t.{key} = s.{key} AND ({changed})")
    con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage} s "
                f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{key} = s.{key}) "
                f"ORDER BY {key}")
    return updates


def _rebuilt(con: duckdb.DuckDBPyConnection, table: str, key: str, names: list[str]) -> bool:
    """Write `table` anew: its rows the stage does not hold and every staged row, under the
    same definition (its constraints and references), in place of the old table; in the
    caller's transaction. False, and nothing done, where that would lose
    something: another table refers to this one, or the table has columns the import does
    not write."""
    referenced = con.execute("SELECT count(*) FROM duckdb_constraints() WHERE database_name "
                             "= current_database() AND referenced_table = ?",
                             [table]).fetchall()[0][0]
    stored = [c for (c,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ? ORDER BY column_index",
        [table]).fetchall()]
    [(ddl,)] = con.execute("SELECT sql FROM duckdb_tables() WHERE database_name = "
                           "current_database() AND schema_name = 'main' AND table_name = ?",
                           [table]).fetchall()
    head = f"CREATE TABLE {table}("
    # DuckDB 2.0 keeps, in the lookup tables this one references, the name the table was
    # created under: deleting a lookup row then fails naming `<table>_rebuilt` (as it names
    # `cases_v2` since migration 2). Lookup codes are only ever added (vocabulary.py).
    if referenced or sorted(stored) != sorted(names) or not ddl.startswith(head):
        return False
    rebuilt = f"{table}_rebuilt"
    cols = ", ".join(stored)
    con.execute(f"CREATE TABLE {rebuilt}(" + ddl.removeprefix(head))
    con.execute(f"""INSERT INTO {rebuilt} ({cols})
                    SELECT {cols} FROM (
                        SELECT {cols} FROM {table} t ANTI JOIN {_stage_name(table)} s
                            USING ({key})
                        UNION ALL
                        SELECT {cols} FROM {_stage_name(table)})""")
    con.execute(f"DROP TABLE {table}")
    con.execute(f"ALTER TABLE {rebuilt} RENAME TO {table}")
    return True


def _read_back(con: duckdb.DuckDBPyConnection, report: FileReport, count_before: int,
               new_keys: int) -> None:
    """Stored and new rows, counted in the committed table; a disagreement with the stage
    (what validation passed: every staged row stored, and the table grown by exactly the
    staged rows whose key it did not hold, so that no row the file left out was lost)
    fails the import."""
    columns, key = SPECS[report.table]
    stage = _stage_name(report.table)
    same = " AND ".join(f"t.{c.name} IS NOT DISTINCT FROM s.{c.name}" for c in columns)
    staged = _count(con, stage)
    report.stored = con.execute(f"SELECT count(*) FROM {stage} s JOIN {report.table} t "
                                f"USING ({key}) WHERE {same}").fetchall()[0][0]
    report.new = _count(con, report.table) - count_before
    if report.stored != staged or report.new != new_keys:
        raise ImportMismatch(
            f"{report.path}: {staged:,} valid rows were written, but the database holds "
            f"{report.stored:,} of them after the commit ({report.new:,} rows more than "
            f"before, {new_keys:,} expected); nothing was imported")


def _check_served(db_path: Path, reports: list[FileReport]) -> None:
    """The swapped-in file is the one written: its tables hold at least what was stored."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        for report in reports:
            if report.stored and _count(con, report.table) < report.stored:
                raise ImportMismatch(f"{db_path}: the served database lacks rows just stored")
    finally:
        con.close()


def rejects_path(source: Path, directory: Path | None = None) -> Path:
    """Where the rejects of `source` go: `<name>.rejects.csv` beside it or in `directory`."""
    return (directory or source.parent) / f"{source.name}.rejects.csv"


def write_rejects(report: FileReport, path: Path) -> int:
    """The rejects of one file as CSV (UTF-8 with BOM for Excel, no live formulas). When
    more lines were found than listed, one line per reason gives the rest's count.
    Returns the number of lines written."""
    from supervision.output.safe_output import write_safe_csv

    rest = Counter(report.reject_counts)
    for column, reason, n in report.rejects.group_by("column", "reason").len().iter_rows():
        rest[(column, reason)] -= n
    summary = pl.DataFrame(
        [dict(file=str(report.path), row=None, column=column,
              value=f"{n:,} more not listed", reason=reason)
         for (column, reason), n in sorted(rest.items()) if n > 0], schema=REJECT_SCHEMA)
    frame = pl.concat([report.rejects, summary])
    path.parent.mkdir(parents=True, exist_ok=True)
    write_safe_csv(frame, path)
    return frame.height
