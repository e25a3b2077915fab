"""Importing cases, petitions and reference tables from CSV (UTF-8, UTF-8 with BOM, GBK),
XLSX or Parquet, with English or Chinese headers (format: docs/data-format.md).

Every row is either stored or reported back with file, row, column, value and reason.
Validation is vectorized with polars; valid rows of all files are applied in one
transaction, upserting on the key, so re-importing a file changes nothing. A file that
cannot be read raises UnreadableFile before anything is written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from supervision.db import transaction

CLOSING_METHODS = {
    "fully_performed": "fully_performed", "执行完毕": "fully_performed",
    "terminated": "terminated", "终结执行": "terminated",
    "not_enforced": "not_enforced", "不予执行": "not_enforced",
    "rejected": "rejected", "驳回申请": "rejected",
    "withdrawn": "withdrawn", "销案": "withdrawn",
    "terminated_current": "terminated_current", "终结本次执行程序": "terminated_current",
    "终本": "terminated_current",
    "transferred": "transferred", "移送执行": "transferred", "指定执行": "transferred",
    "移送/指定执行": "transferred",
}
CASE_KINDS = {"first": "first", "首次执行": "first", "首执": "first",
              "resumed": "resumed", "恢复执行": "resumed", "执恢": "resumed"}
PRIORITIES = {"high": "high", "高": "high", "normal": "normal", "中": "normal",
              "一般": "normal", "low": "low", "低": "low"}
COMPLEXITIES = {"simple": "simple", "简单": "simple", "ordinary": "ordinary",
                "一般": "ordinary", "complex": "complex", "复杂": "complex"}
RESPONDENT_KINDS = {"person": "person", "自然人": "person", "个人": "person",
                    "enterprise": "enterprise", "企业": "enterprise", "单位": "enterprise",
                    "government": "government", "党政机关": "government"}
LEVELS = {"high": "high", "高级": "high", "intermediate": "intermediate", "中级": "intermediate",
          "basic": "basic", "基层": "basic", "specialized": "specialized", "专门": "specialized"}
TRUE_WORDS = ["true", "t", "yes", "y", "1", "是", "有", "已", "√"]
FALSE_WORDS = ["false", "f", "no", "n", "0", "否", "无", "未", "×"]


@dataclass(frozen=True)
class Column:
    name: str
    chinese: str
    kind: str  # text, date, amount, bool, or a mapping name
    required: bool = False
    default: str | None = None


CASE_COLUMNS = [
    Column("case_number", "案号", "text", True),
    Column("court_code", "法院代码", "court", True),
    Column("case_kind", "案件类别", "case_kind", True),
    Column("case_type", "案件类型", "case_type", True),
    Column("filed_on", "立案日期", "date", True),
    Column("closed_on", "结案日期", "date"),
    Column("closing_method", "结案方式", "closing_method"),
    Column("amount_applied", "申请执行标的额", "amount", True),
    Column("amount_recovered", "执行到位金额", "amount", default="0"),
    Column("has_property", "有财产可供执行", "bool", True),
    Column("priority", "优先级", "priority", default="normal"),
    Column("complexity", "复杂程度", "complexity", default="ordinary"),
    Column("respondent_id", "被执行人证件号", "text", True),
    Column("respondent_name", "被执行人", "text", True),
    Column("respondent_kind", "被执行人类型", "respondent_kind", True),
    Column("judge", "承办人", "text"),
    Column("settlement_on", "和解日期", "date"),
    Column("settlement_due_on", "和解履行期限", "date"),
    Column("notice_served", "执行通知", "bool"),
    Column("consumption_restricted", "限制消费", "bool"),
    Column("dishonest_listed", "纳入失信", "bool"),
    Column("network_inquiry_done", "网络查控", "bool"),
    Column("site_investigation_done", "现场调查", "bool"),
    Column("applicant_informed", "告知申请人", "bool"),
]
PETITION_COLUMNS = [
    Column("petition_id", "信访编号", "text", True),
    Column("case_number", "案号", "case_number", True),
    Column("received_on", "收到日期", "date", True),
    Column("resolved_on", "办结日期", "date"),
]
COURT_COLUMNS = [
    Column("court_code", "法院代码", "text", True),
    Column("name", "法院名称", "text", True),
    Column("name_en", "英文名称", "text"),
    Column("province", "省份", "text", True),
    Column("level", "层级", "level", True),
    Column("kind", "类型", "text", default="general"),
]
CASE_TYPE_COLUMNS = [
    Column("code", "代码", "text", True),
    Column("name", "名称", "text", True),
    Column("name_en", "英文名称", "text"),
    Column("specific", "五类特定案件", "bool", True),
]
SPECS = {"courts": (COURT_COLUMNS, "court_code"), "case_types": (CASE_TYPE_COLUMNS, "code"),
         "cases": (CASE_COLUMNS, "case_number"), "petitions": (PETITION_COLUMNS, "petition_id")}
MAPPINGS = {"case_kind": CASE_KINDS, "closing_method": CLOSING_METHODS,
            "priority": PRIORITIES, "complexity": COMPLEXITIES,
            "respondent_kind": RESPONDENT_KINDS, "level": LEVELS}
REJECT_SCHEMA = {"file": pl.String, "row": pl.Int64, "column": pl.String, "value": pl.String,
                 "reason": pl.String}


class UnreadableFile(Exception):
    """The file cannot be read at all; the message is one line for the user."""


@dataclass
class FileResult:
    table: str
    path: Path
    rows: int
    valid: pl.DataFrame
    rejects: pl.DataFrame
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return self.rejects["row"].n_unique() if self.rejects.height else 0

    @property
    def stored(self) -> int:
        return self.valid.height


# ---------------------------------------------------------------- reading


def read_rows(path: Path) -> tuple[pl.DataFrame, list[dict]]:
    """All cells as text, a `_row` column with the row number a user sees in the file
    (header = row 1 for CSV/XLSX, first record = row 1 for Parquet), and rows that could
    not be split into fields (ragged CSV lines) as ready-made rejects."""
    if not path.exists():
        raise UnreadableFile(f"{path}: no such file")
    if path.is_dir():
        raise UnreadableFile(f"{path}: is a directory, not a file")
    data = path.read_bytes()
    if not data.strip():
        raise UnreadableFile(f"{path}: the file is empty")
    if data[:4] == b"PAR1":
        frame, first = _read_parquet(path), 1
        ragged: list[dict] = []
    elif data[:4] == b"PK\x03\x04":
        frame, first = _read_xlsx(path), 2
        ragged = []
    else:
        text = _decode(path, data)
        frame, ragged = _read_csv(path, text)
        first = 2
    frame = frame.rename({c: _clean_header(c) for c in frame.columns})
    if "_row" not in frame.columns:
        frame = frame.with_row_index("_row", offset=first).with_columns(pl.col("_row").cast(pl.Int64))
    return frame, ragged


def _clean_header(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip()


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise UnreadableFile(f"{path}: binary file, not CSV, XLSX or Parquet")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(f"{path}: not text in UTF-8 or GBK, and not XLSX or Parquet")


def _read_csv(path: Path, text: str) -> tuple[pl.DataFrame, list[dict]]:
    try:
        frame = pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False,
                            raise_if_empty=True)
        return frame, []
    except pl.exceptions.NoDataError:
        raise UnreadableFile(f"{path}: the file is empty") from None
    except pl.exceptions.ComputeError:
        pass  # ragged lines: fall back to the csv module to report them row by row
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise UnreadableFile(f"{path}: the file is empty")
    good, ragged = [], []
    for line_no, fields in enumerate(reader, start=2):
        if not fields:
            continue
        if len(fields) != len(header):
            ragged.append(dict(file=str(path), row=line_no, column="", value=",".join(fields)[:200],
                               reason=f"row has {len(fields)} fields, the header has {len(header)}"))
            continue
        good.append([None if f == "" else f for f in fields] + [line_no])
    names = [_clean_header(h) for h in header] + ["_row"]
    frame = pl.DataFrame(good, schema={n: pl.String for n in names}, orient="row")
    return frame.with_columns(pl.col("_row").cast(pl.Int64)), ragged


def _read_xlsx(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_excel(path, engine="calamine", infer_schema_length=0)
    except Exception as exc:  # the reader raises many kinds; all mean "not a readable XLSX"
        raise UnreadableFile(f"{path}: not a readable XLSX workbook ({type(exc).__name__})") from None
    return frame.with_columns(pl.all().cast(pl.String))


def _read_parquet(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:
        raise UnreadableFile(f"{path}: not a readable Parquet file ({type(exc).__name__})") from None
    return frame.with_columns(
        [pl.col(c).dt.strftime("%Y-%m-%d") if frame.schema[c] in (pl.Date, pl.Datetime)
         else pl.col(c).cast(pl.String) for c in frame.columns]
    )


# ---------------------------------------------------------------- validating


def _header_map(columns: list[Column]) -> dict[str, str]:
    out = {}
    for c in columns:
        out[c.name] = c.name
        out[c.name.lower()] = c.name
        out[c.chinese] = c.name
    return out


def _normalize_headers(path: Path, frame: pl.DataFrame, columns: list[Column]
                       ) -> tuple[pl.DataFrame, list[str]]:
    known = _header_map(columns)
    renames, ignored, seen = {}, [], set()
    for name in frame.columns:
        if name == "_row":
            continue
        target = known.get(name) or known.get(name.lower())
        if target is None or target in seen:
            ignored.append(name)
            continue
        renames[name] = target
        seen.add(target)
    frame = frame.select(["_row", *renames]).rename(renames)
    missing = [f"{c.chinese} ({c.name})" for c in columns if c.required and c.name not in seen]
    if missing:
        raise UnreadableFile(f"{path}: missing required column(s): {', '.join(missing)}")
    return frame.with_columns(
        [pl.lit(None, dtype=pl.String).alias(c.name) for c in columns if c.name not in seen]
    ), ignored


def _parse_date(col: pl.Expr) -> pl.Expr:
    """2020-09-30, 2020/9/30, 2020年9月30日, or an XLSX date-time at midnight."""
    parts = (col.str.strip_chars().str.replace(r"[ T]00:00:00(\.0+)?$", "")
             .str.extract_groups(r"^(\d{4})\s*[-/年]\s*(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*日?$"))
    text = pl.concat_str([parts.struct[0], parts.struct[1].str.zfill(2),
                          parts.struct[2].str.zfill(2)], separator="-")
    return text.str.to_date("%Y-%m-%d", strict=False)


def _parse_amount(col: pl.Expr) -> pl.Expr:
    return (col.str.strip_chars().str.replace_all(r"[,，¥￥元\s]", "")
            .cast(pl.Float64, strict=False))


def _parse_bool(col: pl.Expr) -> pl.Expr:
    v = col.str.strip_chars().str.to_lowercase()
    return (pl.when(v.is_in(TRUE_WORDS)).then(True)
            .when(v.is_in(FALSE_WORDS)).then(False)
            .otherwise(None))


def _parse_mapping(col: pl.Expr, mapping: dict[str, str]) -> pl.Expr:
    v = col.str.strip_chars()
    lowered = {k.lower(): val for k, val in mapping.items()}
    return v.str.to_lowercase().replace_strict(lowered, default=None, return_dtype=pl.String)


@dataclass
class Known:
    """Codes a row may refer to: the database's plus those imported in the same run."""
    courts: set[str]
    case_types: dict[str, str]  # code or Chinese name -> code
    case_numbers: pl.Series


def _typed(frame: pl.DataFrame, columns: list[Column], known: Known) -> tuple[pl.DataFrame,
                                                                             list[pl.Expr]]:
    """Parse every column; return the typed frame and (reason expressions) for checks."""
    exprs, checks = [], []
    for c in columns:
        # checks run on the typed frame, so they read the untouched `_raw_` copy
        raw = pl.col(f"_raw_{c.name}").str.strip_chars()
        empty = raw.is_null() | (raw == "")
        if c.kind == "date":
            parsed = _parse_date(raw)
            bad = ~empty & parsed.is_null()
            reason = "not a date (use 2020-09-30, 2020/9/30 or 2020年9月30日)"
        elif c.kind == "amount":
            parsed = _parse_amount(raw)
            bad = ~empty & (parsed.is_null() | (parsed < 0) | parsed.is_nan())
            reason = "not an amount in yuan ≥ 0"
        elif c.kind == "bool":
            parsed = _parse_bool(raw)
            bad = ~empty & parsed.is_null()
            reason = "not true/false (是/否)"
        elif c.kind in MAPPINGS:
            parsed = _parse_mapping(raw, MAPPINGS[c.kind])
            bad = ~empty & parsed.is_null()
            reason = f"not a known {c.name} ({', '.join(sorted(set(MAPPINGS[c.kind].values())))})"
        elif c.kind == "court":
            parsed = raw
            bad = ~empty & ~raw.is_in(list(known.courts))
            reason = "unknown court code"
        elif c.kind == "case_type":
            parsed = raw.replace_strict(known.case_types, default=None, return_dtype=pl.String)
            bad = ~empty & parsed.is_null()
            reason = "unknown case type"
        elif c.kind == "case_number":
            parsed = raw
            bad = ~empty & ~raw.is_in(known.case_numbers.implode())
            reason = "no such case in the database or this import"
        else:
            parsed = raw
            bad = pl.lit(False)
            reason = ""
        if c.default is not None:
            parsed = pl.when(empty).then(_default(c)).otherwise(parsed)
        exprs.append(parsed.alias(c.name))
        checks.append(_check(c.name, bad, reason))
        if c.required:
            checks.append(_check(c.name, empty, "required value is empty"))
    return frame.with_columns(pl.col(c.name).alias(f"_raw_{c.name}") for c in columns
                              ).with_columns(exprs), checks


def _default(c: Column) -> pl.Expr:
    if c.kind == "amount":
        return pl.lit(float(c.default))
    return pl.lit(c.default)


def _check(column: str, bad: pl.Expr, reason: str) -> pl.Expr:
    return pl.when(bad).then(pl.lit(f"{column}\x1f{reason}")).otherwise(None)


def _case_checks() -> list[pl.Expr]:
    closed = pl.col("closed_on").is_not_null()
    method = pl.col("closing_method").is_not_null()
    return [
        _check("closed_on", closed & (pl.col("closed_on") < pl.col("filed_on")),
               "closing date is before the filing date"),
        _check("closing_method", closed & ~method & pl.col("_raw_closing_method").is_null(),
               "a closed case needs its closing method"),
        _check("closing_method", ~closed & method & pl.col("_raw_closed_on").is_null(),
               "a closing method needs a closing date"),
        _check("settlement_due_on", pl.col("settlement_due_on") < pl.col("settlement_on"),
               "settlement due date is before the settlement date"),
    ]


def _petition_checks() -> list[pl.Expr]:
    return [_check("resolved_on", pl.col("resolved_on") < pl.col("received_on"),
                   "resolved before it was received")]


def validate(table: str, path: Path, frame: pl.DataFrame, known: Known,
             ragged: list[dict] | None = None) -> FileResult:
    """Split a file's rows into typed valid rows and rejects (one line per problem)."""
    columns, key = SPECS[table]
    rows_in_file = frame.height + len(ragged or [])
    frame, ignored = _normalize_headers(path, frame, columns)
    typed, checks = _typed(frame, columns, known)
    if table == "cases":
        checks += _case_checks()
    elif table == "petitions":
        checks += _petition_checks()
    checked = typed.with_columns(c.alias(f"_chk{i}") for i, c in enumerate(checks))
    check_cols = [f"_chk{i}" for i in range(len(checks))]
    has_problem = pl.any_horizontal(pl.col(c).is_not_null() for c in check_cols)
    # only rows with a problem are unpivoted, so a clean million-row file stays cheap
    bad = checked.filter(has_problem)
    problems = (bad.select("_row", *check_cols)
                .unpivot(index="_row", value_name="problem").drop_nulls("problem"))
    raw = bad.select("_row", *[pl.col(f"_raw_{c.name}").alias(c.name) for c in columns])
    rejects = (problems.with_columns(pl.col("problem").str.split_exact("\x1f", 1)
                                     .struct.rename_fields(["column", "reason"]))
               .unnest("problem")
               .join(raw.unpivot(index="_row", variable_name="column", value_name="value"),
                     on=["_row", "column"], how="left")
               .select(file=pl.lit(str(path)), row="_row", column="column", value="value",
                       reason="reason"))
    valid = checked.filter(~has_problem)
    # a key repeated within the file: the first valid occurrence is stored
    first_row = pl.col("_row").min().over(key)
    repeats = valid.with_columns(_first=first_row).filter(pl.col("_row") != pl.col("_first")).select(
        file=pl.lit(str(path)), row="_row", column=pl.lit(key), value=pl.col(key),
        reason=pl.format("repeated in this file; row {} is stored", pl.col("_first")))
    valid = valid.filter(pl.col("_row") == first_row)
    all_rejects = pl.concat([pl.DataFrame(ragged or [], schema=REJECT_SCHEMA),
                             rejects.cast(REJECT_SCHEMA), repeats.cast(REJECT_SCHEMA)])
    stored = valid.select([c.name for c in columns])
    if table == "cases":
        stored = stored.with_columns(
            pl.col("amount_applied").round(2), pl.col("amount_recovered").round(2))
    result = FileResult(table, path, rows_in_file, stored, all_rejects.sort("row", "column"),
                        ignored)
    assert result.stored + result.rejected_rows == rows_in_file, "every row stored or reported"
    return result


# ---------------------------------------------------------------- applying


def _known(con: duckdb.DuckDBPyConnection) -> Known:
    courts = {r[0] for r in con.execute("SELECT court_code FROM courts").fetchall()}
    types: dict[str, str] = {}
    for code, name in con.execute("SELECT code, name FROM case_types").fetchall():
        types[code] = code
        types[name] = code
    return Known(courts, types, pl.Series("case_number", [], dtype=pl.String))


def import_files(con: duckdb.DuckDBPyConnection, files: dict[str, Path]) -> list[FileResult]:
    """Validate every file, then store all valid rows in one transaction.

    `files` maps a table name (courts, case_types, cases, petitions) to a path. Raises
    UnreadableFile before touching the database if any file cannot be read."""
    frames = {table: read_rows(Path(path)) for table, path in files.items()}
    known = _known(con)
    if "petitions" in frames:
        # petitions may refer to any stored case: load the case numbers only when needed
        known.case_numbers = con.sql("SELECT case_number FROM cases").pl()["case_number"]
    results = []
    for table in ("courts", "case_types", "cases", "petitions"):
        if table not in frames:
            continue
        frame, ragged = frames[table]
        result = validate(table, Path(files[table]), frame, known, ragged)
        results.append(result)
        # later files may refer to what earlier ones bring
        if table == "courts":
            known.courts |= set(result.valid["court_code"].to_list())
        elif table == "case_types":
            for code, name in result.valid.select("code", "name").iter_rows():
                known.case_types[code] = code
                known.case_types[name] = code
        elif table == "cases":
            known.case_numbers = pl.concat([known.case_numbers, result.valid["case_number"]])
    with transaction(con):
        for result in results:
            _upsert(con, result)
    return results


def _upsert(con: duckdb.DuckDBPyConnection, result: FileResult) -> None:
    """Insert new keys and update changed rows; identical rows are left untouched, so a
    re-import writes nothing. (Table and column names come from SPECS, never the file.)"""
    if result.valid.height == 0:
        return
    columns, key = SPECS[result.table]
    names = [c.name for c in columns]
    table = result.table
    con.register("_incoming", result.valid.to_arrow())
    if table == "courts":
        # a court may name a province the database has not seen yet
        con.execute("""INSERT INTO provinces (province, name, name_en, sort_order)
                       SELECT DISTINCT province, province, province, 999 FROM _incoming
                       ON CONFLICT DO NOTHING""")
    cols = ", ".join(names)
    # staged with the table's own column types, so comparisons are exact
    con.execute(f"CREATE OR REPLACE TEMP TABLE _staged AS SELECT {cols} FROM {table} LIMIT 0")
    con.execute(f"INSERT INTO _staged SELECT {cols} FROM _incoming")
    con.unregister("_incoming")
    others = [n for n in names if n != key]
    changed = " OR ".join(f"{table}.{n} IS DISTINCT FROM s.{n}" for n in others)
    sets = ", ".join(f"{n} = s.{n}" for n in others)
    con.execute(f"UPDATE {table} SET {sets} FROM _staged s "
                f"WHERE {table}.{key} = s.{key} AND ({changed})")
    con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _staged s "
                f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{key} = s.{key})")
    con.execute("DROP TABLE _staged")


def write_rejects(results: list[FileResult], path: Path) -> int:
    rejects = pl.concat([r.rejects for r in results]) if results else pl.DataFrame(
        schema=REJECT_SCHEMA)
    path.parent.mkdir(parents=True, exist_ok=True)
    # UTF-8 with BOM so that Excel opens the Chinese text correctly
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        out.write(rejects.write_csv())
    return rejects.height
