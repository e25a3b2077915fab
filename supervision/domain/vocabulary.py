"""The project's vocabulary, declared once: every list of allowed values with its code,
中文 and English names and the flags the metrics read.

Everything else derives from here: the lookup tables the case tables reference (loaded by
`install_vocabulary`, so SQL joins them instead of repeating lists), the importer's header
and value mappings, the UI's translations, the CLI's choices and the explorer's options.
A new closing method, priority, role or workflow status is one entry below. (Metrics are
declared in supervision/domain/metric_declarations.py.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # the vocabulary itself needs no database (the CLI's arguments read it)
    import duckdb


@dataclass(frozen=True)
class Term:
    """One allowed value: its code (stored), 中文 and English names, and other spellings
    the importer accepts."""
    code: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()

    def spellings(self) -> tuple[str, ...]:
        return (self.code, self.zh, self.en, *self.aliases)


@dataclass(frozen=True)
class ClosingMethod(Term):
    # 实际执结: counts as actually concluded (DOMAIN.md "Closing methods")
    actually_concluded: bool = False
    # the national-rank numerator: cases actually enforced
    fully_performed: bool = False
    # 终结本次执行程序: closes the case for now
    terminates_current: bool = False
    # transferred cases leave every count from their transfer date on
    in_counts: bool = True


CLOSING_METHODS: tuple[ClosingMethod, ...] = (
    ClosingMethod("fully_performed", "执行完毕", "fully performed", actually_concluded=True,
                  fully_performed=True),
    ClosingMethod("terminated", "终结执行", "terminated", actually_concluded=True),
    ClosingMethod("not_enforced", "不予执行", "not enforced", actually_concluded=True),
    ClosingMethod("rejected", "驳回申请", "application rejected", actually_concluded=True),
    ClosingMethod("withdrawn", "销案", "withdrawn", actually_concluded=True),
    ClosingMethod("terminated_current", "终本", "terminated (current procedure)",
                  ("终结本次执行程序",), terminates_current=True),
    ClosingMethod("transferred", "移送执行", "transferred", ("指定执行", "移送/指定执行"),
                  in_counts=False),
)
# A case's status as of a date is its closing method, or this while it is pending.
PENDING = Term("pending", "未结", "pending")

CASE_KINDS: tuple[Term, ...] = (
    Term("first", "首次执行", "first enforcement", ("首执",)),
    Term("resumed", "恢复执行", "resumed", ("执恢",)),
)


@dataclass(frozen=True)
class PlannedTerm(Term):
    # working days the pending-case timetable plans for this value (priority: the base;
    # complexity: added to it), never past the statutory deadline
    planned_days: int = 0


PRIORITIES: tuple[PlannedTerm, ...] = (
    PlannedTerm("high", "高", "high", planned_days=20),
    PlannedTerm("normal", "中", "normal", ("一般",), planned_days=45),
    PlannedTerm("low", "低", "low", planned_days=75),
)
COMPLEXITIES: tuple[PlannedTerm, ...] = (
    PlannedTerm("simple", "简单", "simple", planned_days=0),
    PlannedTerm("ordinary", "一般", "ordinary", planned_days=20),
    PlannedTerm("complex", "复杂", "complex", planned_days=50),
)
RESPONDENT_KINDS: tuple[Term, ...] = (
    Term("person", "自然人", "person", ("个人",)),
    Term("enterprise", "企业", "enterprise", ("单位",)),
    Term("government", "党政机关", "government organ"),
)
COURT_LEVELS: tuple[Term, ...] = (
    Term("high", "高级", "high"),
    Term("intermediate", "中级", "intermediate"),
    Term("basic", "基层", "basic"),
    Term("specialized", "专门", "specialized"),
)


@dataclass(frozen=True)
class AgeBand(Term):
    """How long a pending case has been pending: [lower, upper) calendar months."""
    lower_months: int = 0
    upper_months: int | None = None


AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand("0-3", "3个月内", "under 3 months", lower_months=0, upper_months=3),
    AgeBand("3-6", "3–6个月", "3–6 months", lower_months=3, upper_months=6),
    AgeBand("6-12", "6–12个月", "6–12 months", lower_months=6, upper_months=12),
    AgeBand("12+", "1年以上", "over a year", lower_months=12, upper_months=None),
)


@dataclass(frozen=True)
class Role(Term):
    pages: tuple[str, ...] = ()
    # whose cases the role sees: "own_court", "province" (of its court) or "none"
    scope: str = "none"
    # whether other courts appear by name in national tables
    names_other_courts: bool = False
    requires_court: bool = False
    # what the role may write in the ledger (WRITES), always within its scope: the write
    # functions check this declaration and the case's or court's real court where they write
    writes: frozenset[str] = frozenset()
    # respondents' ID numbers in full on screens and exports (else masked: 460100**********59)
    full_id_numbers: bool = False
    # a time-based one-time code on top of the password (whole-province or user management)
    second_factor: bool = False


# The ledger's writes, by capability: record a visit with its opinions, update an opinion
# item's progress, mark a typical case, propose/escalate/resolve a joint-action case.
WRITES: tuple[Term, ...] = (
    Term("record_visit", "记录督导及意见", "record visits and opinions"),
    Term("update_item", "更新整改进展", "update item progress"),
    Term("mark_typical", "标记典型案例", "mark typical cases"),
    Term("set_escalation", "提请联合惩戒", "escalate to joint action"),
)


ROLES: tuple[Role, ...] = (
    Role("supervisor", "督导组", "supervisor",
         pages=("province", "weekly", "publications", "targets", "roadmap", "brief",
                "pending", "termination", "settlements", "respondent", "escalation",
                "ledger", "explorer"),
         scope="province", names_other_courts=True, requires_court=True,
         writes=frozenset({"record_visit", "update_item", "mark_typical", "set_escalation"}),
         second_factor=True),
    Role("president", "院长", "president",
         pages=("targets", "roadmap", "brief", "pending", "termination", "settlements",
                "respondent", "escalation", "ledger"),
         scope="own_court", requires_court=True, writes=frozenset({"update_item"}),
         full_id_numbers=True),
    Role("analyst", "分析员", "analyst",
         pages=("province", "weekly", "publications", "targets", "roadmap", "brief",
                "pending", "termination", "settlements", "respondent", "escalation",
                "ledger", "explorer"),
         scope="province", requires_court=True),
    # user management and imports only: no case data, no ledger writes (duties kept apart)
    Role("admin", "管理员", "administrator", pages=("admin",), scope="none",
         second_factor=True),
)
ROLE_BY_CODE = {r.code: r for r in ROLES}


@dataclass(frozen=True)
class Status(Term):
    """One state of a workflow in the operational store (the code is what is stored).
    A new row starts in its workflow's first state; `closed`: nothing is left to do."""
    closed: bool = False


# A ledger item (督导意见): open → in progress → done.
LEDGER_STATUSES: tuple[Status, ...] = (
    Status("open", "未开始", "open"),
    Status("in_progress", "整改中", "in progress"),
    Status("done", "已完成", "done", closed=True),
)
# A case put to the joint-action mechanism (联动机制): proposed → escalated → resolved.
ESCALATION_STATUSES: tuple[Status, ...] = (
    Status("proposed", "拟提请", "proposed"),
    Status("escalated", "已提请联动", "escalated"),
    Status("resolved", "已化解", "resolved", closed=True),
)


def closed_codes(statuses: tuple[Status, ...]) -> tuple[str, ...]:
    """The codes of a workflow's closed states."""
    return tuple(s.code for s in statuses if s.closed)


# ---------------------------------------------------------------- import columns


@dataclass(frozen=True)
class Column:
    """One column of an import file: its name, 中文 header, how its text is parsed (text,
    date, amount, bool, court, case_type, or a vocabulary name), and whether required."""
    name: str
    zh: str
    kind: str
    required: bool = False
    default: str | None = None
    en: str = ""

    def headers(self) -> tuple[str, ...]:
        return (self.name, self.zh)


CASE_COLUMNS: tuple[Column, ...] = (
    Column("case_number", "案号", "text", True, en="Case number"),
    Column("court_code", "法院代码", "court", True, en="Court"),
    Column("case_kind", "案件类别", "case_kind", True, en="Kind"),
    Column("case_type", "案件类型", "case_type", True, en="Case type"),
    Column("filed_on", "立案日期", "date", True, en="Filed"),
    Column("closed_on", "结案日期", "date", en="Closed"),
    Column("closing_method", "结案方式", "closing_method", en="Closing method"),
    Column("amount_applied", "申请执行标的额", "amount", True, en="Value applied (yuan)"),
    Column("amount_recovered", "执行到位金额", "amount", default="0", en="Recovered (yuan)"),
    Column("has_property", "有财产可供执行", "bool", True, en="Has property"),
    Column("priority", "优先级", "priority", default="normal", en="Priority"),
    Column("complexity", "复杂程度", "complexity", default="ordinary", en="Complexity"),
    Column("respondent_id", "被执行人证件号", "text", True, en="Respondent ID"),
    Column("respondent_name", "被执行人", "text", True, en="Respondent"),
    Column("respondent_kind", "被执行人类型", "respondent_kind", True, en="Respondent kind"),
    Column("judge", "承办人", "text", en="Judge"),
    Column("settlement_on", "和解日期", "date", en="Settlement agreed"),
    Column("settlement_due_on", "和解履行期限", "date", en="Settlement due"),
    Column("notice_served", "执行通知", "bool", en="Notice served"),
    Column("consumption_restricted", "限制消费", "bool", en="Consumption restricted"),
    Column("dishonest_listed", "纳入失信", "bool", en="Listed as dishonest"),
    Column("network_inquiry_done", "网络查控", "bool", en="Network inquiry"),
    Column("site_investigation_done", "现场调查", "bool", en="Site investigation"),
    Column("applicant_informed", "告知申请人", "bool", en="Applicant informed"),
    # the enforcement ruling (执行裁定) recorded when a case with a settlement was closed;
    # optional: data without it cannot show closings by settlement lacking a ruling
    Column("settlement_ruling_on", "和解结案裁定日期", "date", en="Settlement ruling"),
)
PETITION_COLUMNS: tuple[Column, ...] = (
    Column("petition_id", "信访编号", "text", True, en="Petition"),
    Column("case_number", "案号", "text", True, en="Case number"),
    Column("received_on", "收到日期", "date", True, en="Received"),
    Column("resolved_on", "办结日期", "date", en="Resolved"),
)
COURT_COLUMNS: tuple[Column, ...] = (
    Column("court_code", "法院代码", "text", True),
    Column("name", "法院名称", "text", True),
    Column("name_en", "英文名称", "text"),
    Column("province", "省份", "text", True),
    Column("level", "层级", "court_level", True),
    Column("kind", "类型", "text", default="general"),
)
CASE_TYPE_COLUMNS: tuple[Column, ...] = (
    Column("code", "代码", "text", True),
    Column("name", "名称", "text", True),
    Column("name_en", "英文名称", "text"),
    Column("specific", "五类特定案件", "bool", True),
)
# 终本 closing conditions (DOMAIN.md): each column true = satisfied (done or not required)
CLOSING_CONDITIONS = ("notice_served", "consumption_restricted", "dishonest_listed",
                      "network_inquiry_done", "site_investigation_done", "applicant_informed")

# the vocabularies a column may name, by the column kind above
VOCABULARIES: dict[str, tuple[Term, ...]] = {
    "case_kind": CASE_KINDS, "closing_method": CLOSING_METHODS, "priority": PRIORITIES,
    "complexity": COMPLEXITIES, "respondent_kind": RESPONDENT_KINDS,
    "court_level": COURT_LEVELS,
}
TRUE_WORDS = ("true", "t", "yes", "y", "1", "是", "有", "已", "√")
FALSE_WORDS = ("false", "f", "no", "n", "0", "否", "无", "未", "×")


def codes(terms: tuple[Term, ...]) -> list[str]:
    return [t.code for t in terms]


def spelling_map(terms: tuple[Term, ...]) -> dict[str, str]:
    """Every accepted spelling (lower-cased) -> the code, for the importer."""
    return {s.lower(): t.code for t in terms for s in t.spellings()}


def labels() -> dict[str, tuple[str, str]]:
    """code -> (中文, English) of every vocabulary term, for the UI's translations."""
    out: dict[str, tuple[str, str]] = {}
    for terms in (*VOCABULARIES.values(), AGE_BANDS, ROLES, (PENDING,), LEDGER_STATUSES,
                  ESCALATION_STATUSES):
        for t in terms:
            out.setdefault(t.code, (t.zh, t.en))
    return out


# ---------------------------------------------------------------- lookup tables

# table -> (the terms, extra columns with their SQL types)
LOOKUP_TABLES: dict[str, tuple[tuple[Term, ...], dict[str, str]]] = {
    "closing_methods": (CLOSING_METHODS, {"actually_concluded": "BOOLEAN",
                                          "fully_performed": "BOOLEAN",
                                          "terminates_current": "BOOLEAN",
                                          "in_counts": "BOOLEAN"}),
    "case_kinds": (CASE_KINDS, {}),
    "priorities": (PRIORITIES, {"planned_days": "INTEGER"}),
    "complexities": (COMPLEXITIES, {"planned_days": "INTEGER"}),
    "respondent_kinds": (RESPONDENT_KINDS, {}),
    "court_levels": (COURT_LEVELS, {}),
    "age_bands": (AGE_BANDS, {"lower_months": "INTEGER", "upper_months": "INTEGER"}),
}


def lookup_table_sql(table: str) -> str:
    _terms, extra = LOOKUP_TABLES[table]
    columns = "".join(f", {name} {sql_type}" for name, sql_type in extra.items())
    return (f"CREATE TABLE IF NOT EXISTS {table} (code VARCHAR PRIMARY KEY, "
            f"name VARCHAR NOT NULL, name_en VARCHAR NOT NULL, sort_order INTEGER NOT NULL"
            f"{columns})")


def install_vocabulary(con: duckdb.DuckDBPyConnection) -> None:
    """Create the lookup tables and bring their rows up to this module (codes are never
    removed: existing cases may still name them)."""
    for table, (terms, extra) in LOOKUP_TABLES.items():
        con.execute(lookup_table_sql(table))
        names = ["code", "name", "name_en", "sort_order", *extra]
        rows = [(t.code, t.zh, t.en, i, *[getattr(t, n) for n in extra])
                for i, t in enumerate(terms)]
        # read first: nearly every opening finds every row as this module has it, and
        # a read costs a tenth of a write
        have = set(con.execute(f"SELECT {', '.join(names)} FROM {table}").fetchall())
        updates = ", ".join(f"{n} = excluded.{n}" for n in names[1:])
        insert_rows(con, f"INSERT INTO {table} ({', '.join(names)})",
                    [row for row in rows if row not in have],
                    f"ON CONFLICT (code) DO UPDATE SET {updates}")


def insert_rows(con: duckdb.DuckDBPyConnection, insert: str, rows: list, conflict: str) -> None:
    """`insert` VALUES (every row) `conflict`: one statement with every value a parameter
    (executemany runs one statement a row); nothing when there is no row."""
    if not rows:
        return
    one = f"({', '.join('?' * len(rows[0]))})"
    con.execute(f"{insert} VALUES {', '.join([one] * len(rows))} {conflict}",
                [value for row in rows for value in row])

