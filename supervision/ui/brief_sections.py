"""The court brief's sections, built once per run in the UI's language and drawn three ways:
on screen (pages/court_brief.py), in the XLSX and in the PDF. One build, so the three
never disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from supervision import domain, pdf
from supervision.ui import charts
from supervision.ui.fmt import pct
from supervision.ui.i18n import enum, enum_names, help_text, t
from supervision.ui.state import Context
from supervision.ui.tables import case_rows
from supervision.views import AGE_BANDS

# the closing methods of a conclusion that did not end in full performance
NOT_FULL = [m.code for m in domain.CLOSING_METHODS
            if m.in_counts and not m.fully_performed]
LARGEST_COLUMNS = ["case_number", "case_type", "amount_yuan", "filed_on", "statutory_deadline",
                   "days_to_deadline", "priority", "complexity", "respondent_name", "judge"]


@dataclass(frozen=True)
class Card:
    name: str
    value: str
    sub: str
    colour: str
    help: str


@dataclass(frozen=True)
class Sections:
    cards: list[Card]
    backward: pl.DataFrame          # flagged indices, raw values (fractions)
    backward_screen: pl.DataFrame   # the same, as read on screen and on paper
    no_data: bool                   # nothing measurable in the period for this court
    rate_label: str
    k: int
    weekly: pl.DataFrame
    by_age: pl.DataFrame
    largest: pl.DataFrame           # display columns, UI language
    ranks: pl.DataFrame
    period_start: dt.date
    open_items: pl.DataFrame = field(default_factory=pl.DataFrame)  # the ledger's open items

    def explorer_params(self, row: int, as_of: dt.date) -> dict[str, str | None] | None:
        """The explorer view of the cases behind a backward index (None: the explorer
        holds no such cases, e.g. petitions)."""
        code = self.backward["index"][row]
        period = f"{self.period_start.isoformat()}..{as_of.isoformat()}"
        if code.startswith("rank_"):
            ranking = code.removeprefix("rank_")
            # concluded this period without full performance: what holds the rate down
            return {"method": ",".join(NOT_FULL), "closed": period,
                    "type": None if ranking == "overall" else ranking}
        if code == "termination_qualified":
            return {"method": "terminated_current", "closed": period}
        if code == "property_within_limit":
            # statutory deadline (filing + 6 months) within the period, not yet concluded
            first = _months_before(self.period_start, 6)
            last = _months_before(as_of, 6)
            return {"method": "pending,terminated_current",
                    "filed": f"{first.isoformat()}..{last.isoformat()}"}
        if code == "three_year_conclusion":
            return {"method": "pending",
                    "filed": f"{dt.date(as_of.year - 3, 1, 1).isoformat()}..{as_of.isoformat()}"}
        return None

    def workbook_sheets(self) -> dict[str, pl.DataFrame]:
        core = pl.DataFrame({
            t("core_title"): [c.name for c in self.cards],
            t("value"): [c.value for c in self.cards],
            t("status"): [c.sub for c in self.cards]})
        backward = self.backward.select(
            pl.col("label").alias(t("backward_title")),
            pl.col("value").alias(t("value")), pl.col("threshold").alias(t("threshold")),
            pl.col("province_value").alias(t("province_value")),
            pl.col("rank").alias(t("rank")),
            pl.col("rank_week_before").alias(t("rank_week_before")),
            pl.col("reason_text").alias(t("reason")))
        weekly = self.weekly.select(
            pl.col("week_end").alias(t("week")), pl.col("rate").alias(self.rate_label),
            pl.col("cutoff").alias(t("cutoff", k=self.k)),
            pl.col("rank").alias(t("national_rank")))
        by_age = self.by_age.select(
            pl.col("type_name").alias(t("case_type")),
            pl.col("age_band").replace_strict(enum_names(), default=pl.col("age_band"))
            .alias(t("age")), pl.col("cases").alias(t("count")))
        return {t("core_title"): core, t("backward_title"): backward,
                t("trend_title"): weekly, t("pending_type_age"): by_age,
                t("largest_pending"): self.largest, t("open_items_title"): self.open_items}

    def workbook_kinds(self) -> dict[str, str]:
        percent = [t("value"), t("threshold"), t("province_value"), self.rate_label,
                   t("cutoff", k=self.k)]
        return {**{c: "percent" for c in percent}, t("value_wan"): "wan"}

    def pdf(self, *, title: str, notes: list[str]) -> pdf.Document:
        doc = pdf.Document(title=title, notes=notes)
        doc.heading(t("core_title"))
        doc.cards([(c.name, c.value, c.sub, c.colour) for c in self.cards])
        if self.no_data:
            doc.heading(t("backward_title"))
            doc.note(t("no_data_period"))
        elif self.backward.height == 0:
            doc.heading(t("backward_title"))
            doc.note(t("no_backward"))
        else:
            doc.table(self.backward_screen, heading=t("backward_title"))
        if self.weekly.height:
            doc.chart(pdf.trend_svg(
                self.weekly["week_end"].to_list(), self.weekly["rate"].to_list(),
                self.weekly["cutoff"].to_list(), self.weekly["rank"].to_list(),
                rate_label=self.rate_label, cutoff_label=t("cutoff", k=self.k),
                rank_label=t("national_rank")), heading=t("trend_title"))
        if self.by_age.height:
            names = enum_names()
            wide = self.by_age.pivot(on="age_band", index="type_name", values="cases",
                                     aggregate_function="sum").fill_null(0)
            series = {names.get(b, b): wide[b].to_list() for b in AGE_BANDS if b in wide.columns}
            doc.chart(pdf.stacked_bars_svg(wide["type_name"].to_list(), series,
                                           y_label=t("count")), heading=t("pending_type_age"))
        else:
            doc.heading(t("pending_type_age"))
            doc.note(t("no_pending"))
        if self.largest.height:
            doc.table(self.largest, heading=t("largest_pending"))
        if self.open_items.height:
            doc.table(self.open_items, heading=t("open_items_title"))
        else:
            doc.heading(t("open_items_title"))
            doc.note(t("no_items"))
        return doc


def _months_before(day: dt.date, months: int) -> dt.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _index_label(code: str, type_names: dict[str, str]) -> str:
    if code.startswith("rank_"):
        ranking = code.removeprefix("rank_")
        name = t("overall_rate") if ranking == "overall" else type_names.get(ranking, ranking)
        return f"{t('national_rank')} · {name}"
    return enum(code)


def open_items_table(items: pl.DataFrame, type_names: dict[str, str]) -> pl.DataFrame:
    """The ledger's open items as read on the brief and in the weekly report."""
    names = enum_names()
    labels = {c: _index_label(c, type_names) for c in items["index_code"].drop_nulls().unique()}
    return items.select(
        pl.col("requirement").alias(t("requirement")), pl.col("owner").alias(t("owner")),
        pl.col("due_on").alias(t("due_on")),
        pl.col("status").replace_strict(names, default=pl.col("status")).alias(t("status")),
        pl.when(pl.col("overdue")).then(pl.lit(t("overdue_item"))).otherwise(pl.lit(""))
        .alias(t("overdue_item")),
        pl.col("index_code").replace_strict(labels, default=pl.col("index_code"))
        .alias(t("linked_index")),
        pl.col("progress").alias(t("progress")))


def build(ctx: Context, brief: dict[str, Any], items: pl.DataFrame | None = None) -> Sections:
    backward: pl.DataFrame = brief["backward"]
    type_names = ctx.type_names()
    core = backward.filter(~pl.col("index").str.starts_with("rank_"))
    cards = [Card(name=enum(r["index"]), value=pct(r["value"]),
                  sub=f"{t('threshold')} {pct(r['threshold'], 0)} · {t('province_value')} "
                      f"{pct(r['province_value'])} · {enum(r['status'])}",
                  colour=charts.STATUS_COLOURS[r["status"]],
                  help=help_text(r["index"], threshold=pct(r["threshold"], 0)))
             for r in core.iter_rows(named=True)]
    flagged = backward.filter(pl.col("reasons").list.len() > 0).with_columns(
        label=pl.col("index").replace_strict(
            {c: _index_label(c, type_names) for c in backward["index"].to_list()}),
        reason_text=pl.col("reasons").list.eval(
            pl.element().replace_strict(enum_names(), default=pl.element())).list.join("；"))
    screen = pl.DataFrame({
        t("backward_title"): flagged["label"].to_list(),
        t("value"): [pct(v) for v in flagged["value"]],
        t("threshold"): [pct(v) for v in flagged["threshold"]],
        t("province_value"): [pct(v) for v in flagged["province_value"]],
        t("rank"): [("—" if r is None else f"{r}" + ("" if p is None else f" (← {p})"))
                    for r, p in zip(flagged["rank"], flagged["rank_week_before"], strict=True)],
        t("reason"): flagged["reason_text"].to_list(),
    }, schema={c: pl.String for c in (t("backward_title"), t("value"), t("threshold"),
                                      t("province_value"), t("rank"), t("reason"))})
    ranks: pl.DataFrame = brief["ranks"]
    headline = ranks.filter(pl.col("ranking") == brief["headline"])
    k = int(headline["target_rank"][0]) if headline.height else 20
    weekly: pl.DataFrame = brief["weekly"]
    rate_label = t(weekly["metric"][0]) if weekly.height else t("overall_rate")
    by_age = brief["pending_by_type_age"].with_columns(
        type_name=pl.col("case_type").replace_strict(type_names, default=pl.col("case_type")))
    largest = brief["largest_pending"]
    largest = case_rows(largest.select([c for c in LARGEST_COLUMNS if c in largest.columns]),
                        ctx)
    no_data = core["value"].is_null().all() and not ranks["is_ranked"].any()
    open_items = (open_items_table(items, type_names) if items is not None and items.height
                  else pl.DataFrame())
    return Sections(cards=cards, backward=flagged, backward_screen=screen, no_data=no_data,
                    rate_label=rate_label, k=k, weekly=weekly, by_age=by_age, largest=largest,
                    ranks=ranks, period_start=ctx.filters.start, open_items=open_items)
