"""The court brief's sections, built once per run in the UI's language and drawn three ways:
on screen (pages/court_brief.py), in the XLSX and in the PDF. One build, so the three
never disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from supervision.engine.projection import PACE_WEEKS
from supervision.engine.ranking import AMOUNT_RECOVERY_RATE
from supervision.output import pdf
from supervision.ui import charts, sidebar
from supervision.ui.state import Context
from supervision.ui.tables import case_rows
from supervision.views import AGE_BANDS
from supervision.words.fmt import num, pct, rank_movement, wan_gap, wan_gap_text
from supervision.words.i18n import enum, enum_names, help_text, lang, t
from supervision.workflow import weekly

LARGEST_COLUMNS = ["case_number", "case_type", "amount_yuan", "filed_on", "statutory_deadline",
                   "days_to_deadline", "priority", "complexity", "respondent_name", "judge"]


@dataclass(frozen=True)
class Card:
    name: str
    value: str
    sub: str
    colour: str
    help: str
    rate: float | None = None     # the value as a number (the workbook's cell)


@dataclass(frozen=True)
class OnTrack:
    """"On track?": the court's official position on the headline ranking (every case of
    the period) — rank, cutoff, gap now, projected year-end rank and what is still needed by
    31 December beyond its current pace — and one sentence that says where it stands. First
    on screen, in the PDF and in the XLSX; its title carries the official label."""

    title: str
    cards: list[tuple[str, str]]    # (name, value as read), in rows of CARDS_PER_ROW
    figures: dict[str, int | float | None]  # the same figures as numbers, for the XLSX
    percent: list[str]              # names of the figures that are rates (fractions)
    verdict: str
    colour: str
    amounts: list[str] = field(default_factory=list)   # figures in 万元 (decimals)

    def card_rows(self) -> list[list[tuple[str, str]]]:
        """The cards in rows short enough that no label is cut (screen) or wraps (PDF)."""
        return [self.cards[i:i + CARDS_PER_ROW]
                for i in range(0, len(self.cards), CARDS_PER_ROW)]

    def frame(self) -> pl.DataFrame:
        """The block as one row of numbers, a column per figure, and the verdict (the
        XLSX sheet)."""
        columns: dict[str, list[Any]] = {t("official_title"): [self.title]}
        columns.update({name: [value] for name, value in self.figures.items()})
        columns[t("verdict")] = [self.verdict]
        schema = {name: (pl.Float64 if name in self.percent or name in self.amounts
                         else pl.Int64) for name in self.figures}
        return pl.DataFrame(columns, schema={t("official_title"): pl.String, **schema,
                                             t("verdict"): pl.String})


CARDS_PER_ROW = 3        # the on-track block: two rows of three on screen and in the PDF
CORE_CARDS_PER_PDF_ROW = 2   # the 3+1 cards in the PDF: their sub-line stays on one line


def on_track(row: dict[str, Any], projection: dict[str, Any] | None,
             rate_label: str) -> OnTrack:
    """The "on track?" block from the court's official rank row of the headline ranking and
    its year-end projection row (None: no projection)."""
    k = row["target_rank"]
    p = projection if projection and projection.get("projected_rate") is not None else None
    amount = by_amount(row)
    extra = year_end_need(row, p)
    pending = None if p is None else p["pending"]
    # the amount metric's gaps are yuan, shown in 万元; the case metric's are cases
    gap_name, gap_text, _ = gap_words(row)
    need_name = t(gap_and_need_keys(amount)[1])
    gap = today_gap(row)
    figures: dict[str, int | float | None] = {
        t("national_rank"): row["rank"],
        t("ranked_courts"): row["ranked_courts"],
        t("cutoff", k=k): row["cutoff"],
        gap_name: wan_gap(gap) if amount else gap,
        t("projected_rank"): None if p is None else p["projected_rank"],
        need_name: wan_gap(extra) if amount else extra,
        t("pending_now"): pending,
    }
    rank = "—" if row["rank"] is None else f"{row['rank']} / {num(row['ranked_courts'])}"
    cards = [
        (t("national_rank"), rank),
        (t("cutoff", k=k), pct(row["cutoff"])),
        (gap_name, gap_text),
        (t("projected_rank"), "—" if p is None else num(p["projected_rank"])),
        (need_name, wan_gap_text(extra) if amount else num(extra)),
        (t("pending_now"), "—" if pending is None else num(pending)),
    ]
    # green: in the top k and kept there at the current pace; amber: in it now only
    colour = charts.STATUS_COLOURS["grey" if not row["is_ranked"] else
                                   "green" if keeps_target(row, p) else
                                   "amber" if row["meets_target"] else "red"]
    title = t("ontrack_title", metric=rate_label, k=k) + " · " + t("official_title")
    return OnTrack(title=title, cards=cards, figures=figures, percent=[t("cutoff", k=k)],
                   verdict=verdict(row, p), colour=colour,
                   amounts=[gap_name, need_name] if amount else [])


def by_amount(row: dict[str, Any]) -> bool:
    """Whether the ranking's target is the amount recovery rate (its gaps are yuan)."""
    return row.get("metric") == AMOUNT_RECOVERY_RATE


def gap_and_need_keys(amount: bool) -> tuple[str, str]:
    """The words' keys (name and help) of today's gap and the year-end need in the
    ranking's unit: cases, or (`amount`: the amount recovery rate) 万元."""
    return ("gap_amount", "year_end_need_amount") if amount else ("gap_cases", "year_end_need")


def today_gap(row: dict[str, Any]) -> int | float | None:
    """Today's gap to the cutoff in the ranking's unit: cases, or yuan for the amount
    metric (ranking.rank's `gap` / `amount_gap`)."""
    return row.get("amount_gap") if by_amount(row) else row["gap"]


def year_end_need(row: dict[str, Any], projection: dict[str, Any] | None
                  ) -> int | float | None:
    """What the year-end projection still needs beyond the court's pace, in the ranking's
    unit (projection's `extra_needed` cases, or `extra_amount_needed` yuan)."""
    if projection is None:
        return None
    return projection["extra_amount_needed" if by_amount(row) else "extra_needed"]


def gap_words(row: dict[str, Any]) -> tuple[str, str, str]:
    """Today's gap card of a ranking row: (its name, its value as read, its help's key),
    in cases or, for the amount metric, in 万元."""
    key = gap_and_need_keys(by_amount(row))[0]
    return t(key), (wan_gap_text if by_amount(row) else num)(today_gap(row)), key


def year_end_need_words(row: dict[str, Any], p: dict[str, Any], k: int) -> str:
    """The projection's need (`year_end_need`, above 0) in a sentence, the targets page's:
    in cases or 万元, spread over the weeks left (not on 31 December: none is left)."""
    need = year_end_need(row, p)
    if by_amount(row):
        per = p["extra_amount_per_week"]
        if per is None:
            return t("needed_amount_text_last_day", k=k, extra=wan_gap_text(need))
        return t("needed_amount_text", k=k, extra=wan_gap_text(need), per=wan_gap_text(per),
                 weeks=p["weeks_left"])
    per = p["extra_per_week"]
    if per is None:
        return t("needed_text_last_day", k=k, extra=need)
    return t("needed_text", k=k, extra=need, per=per, weeks=p["weeks_left"])


def verdict(row: dict[str, Any], projection: dict[str, Any] | None) -> str:
    """One true sentence: in the top k now or not (by how many cases), and whether the
    year-end projection keeps it there or what it still needs beyond its current pace
    against its pending cases."""
    if not row["is_ranked"]:
        return unranked_words(row)
    k, rank = row["target_rank"], row["rank"]
    gap = today_gap(row)
    if row["meets_target"]:
        now = t("ontrack_in", k=k, rank=rank)
    elif gap is not None and by_amount(row):
        now = t("ontrack_out_amount", k=k, rank=rank, gap=wan_gap_text(gap))
    elif gap is not None:
        now = t("ontrack_out", k=k, rank=rank, gap=num(gap))
    else:
        now = t("ontrack_out_nogap", k=k, rank=rank)
    later = _by_year_end(row, projection, k)
    return now + (t("clause_sep") + later if later else "") + t("sentence_end")


def unranked_words(row: dict[str, Any]) -> str:
    """Why a court is not ranked: too few conclusions, or (the amount metric) enough of
    them but nothing applied for, so no rate (ranking.rank: ranked = enough and a rate)."""
    if row["concluded"] >= row["min_concluded"] and row["rate"] is None:
        return t("not_ranked_no_rate", n=row["concluded"])
    return t("not_ranked", n=row["concluded"], m=row["min_concluded"])


def keeps_target(row: dict[str, Any], projection: dict[str, Any] | None) -> bool:
    """In the top k now, and (where there is a projection) kept there by the year end at
    the current pace: the verdict's green."""
    if not (row["is_ranked"] and row["meets_target"]):
        return False
    if projection is None:
        return True
    need = year_end_need(row, projection)
    if need is not None:
        return need == 0
    # no need computed (a 100 % projected cutoff the court is below): its projected rank
    projected = projection.get("projected_rank")
    return projected is not None and projected <= row["target_rank"]


def _by_year_end(row: dict[str, Any], p: dict[str, Any] | None, k: int) -> str:
    """The year-end clause of the verdict ("" without a projection)."""
    need = year_end_need(row, p)
    if p is None:
        return ""
    if need is None:    # e.g. a 100 % projected cutoff: where its pace puts it, if ranked
        projected = p.get("projected_rank")
        if projected is None:
            return ""
        if projected <= k:
            return t("ontrack_keeps", weeks=PACE_WEEKS, k=k)
        return t("ontrack_loses", weeks=PACE_WEEKS, k=k, rank=projected)
    if need == 0:
        return t("ontrack_keeps", weeks=PACE_WEEKS, k=k)
    if by_amount(row):
        return t("ontrack_amount_needed", weeks=PACE_WEEKS, extra=wan_gap_text(need))
    # `reachable` compares the extra need with the pending caseload, and says no more
    key = "ontrack_reachable" if p["reachable"] else "ontrack_unreachable"
    return t(key, weeks=PACE_WEEKS, extra=num(need), pending=num(p["pending"]))


def subset_rank_line(row: dict[str, Any] | None, subset: str, rate_label: str) -> str | None:
    """The court's place on the headline ranking within the sidebar's subset: an analysis,
    with no verdict (None: no subset)."""
    if row is None:
        return None
    if row["is_ranked"]:
        return t("subset_line", subset=subset, rank=row["rank"], n=num(row["ranked_courts"]),
                 metric=rate_label, rate=pct(row["rate"]))
    return t("subset_unranked", subset=subset, n=num(row["concluded"]),
             m=num(row["min_concluded"]), metric=rate_label, rate=pct(row["rate"]))


def subset_lines(subset: dict[str, Any] | None, name: str, rate_label: str) -> list[str]:
    """The brief's analysis of the sidebar's subset: its headline rank and its 3+1 values,
    uncoloured ([] when the sidebar does not narrow)."""
    if subset is None:
        return []
    core = t("list_sep").join(f"{enum(index)} {pct(value)}"
                              for index, value in subset["core"].items())
    rank = subset_rank_line(subset["rank"], name, rate_label)
    return [line for line in (rank, t("subset_core", subset=name, values=core)) if line]


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
    on_track: OnTrack | None = None     # the official position, first
    subset: list[str] = field(default_factory=list)   # the sidebar subset's analysis

    def explorer_params(self, row: int) -> dict[str, str]:
        """The explorer view of the cases holding a backward index down: the index's code
        (the explorer selects them by the index's own definition: macros.sql
        `index_cases`)."""
        return {"index": self.backward["index"][row]}

    def workbook_sheets(self) -> dict[str, pl.DataFrame]:
        core = pl.DataFrame({
            t("core_title"): [c.name for c in self.cards],
            # a number the workbook formats as a percentage (the value column's kind)
            t("value"): pl.Series([c.rate for c in self.cards], dtype=pl.Float64),
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
        first = {} if self.on_track is None else {t("ontrack_sheet"): self.on_track.frame()}
        subset = ({t("subset_sheet"): pl.DataFrame({t("subset_title"): self.subset})}
                  if self.subset else {})
        return {**first, t("core_title"): core, **subset, t("backward_title"): backward,
                t("trend_title"): weekly, t("pending_type_age"): by_age,
                t("largest_pending"): self.largest, t("open_items_title"): self.open_items}

    def workbook_kinds(self) -> dict[str, str]:
        percent = [t("value"), t("threshold"), t("province_value"), self.rate_label,
                   t("cutoff", k=self.k),
                   *([] if self.on_track is None else self.on_track.percent)]
        # a yuan gap in 万元 to the hundred yuan, as its card reads (fmt.wan_gap)
        gaps = [] if self.on_track is None else self.on_track.amounts
        return {**{c: "percent" for c in percent}, t("value_wan"): "wan",
                **{c: "wan_gap" for c in gaps}}

    def pdf(self, *, title: str, notes: list[str]) -> pdf.Document:
        doc = pdf.Document(title=title, notes=notes)
        if self.on_track is not None:
            doc.heading(self.on_track.title)
            for row in self.on_track.card_rows():
                doc.cards([(name, value, "", self.on_track.colour) for name, value in row])
            doc.note(self.on_track.verdict)
        doc.heading(t("core_title"))
        for i in range(0, len(self.cards), CORE_CARDS_PER_PDF_ROW):
            doc.cards([(c.name, c.value, c.sub, c.colour)
                       for c in self.cards[i:i + CORE_CARDS_PER_PDF_ROW]])
        if self.subset:
            doc.heading(t("subset_title"))
            for line in [*self.subset, t("subset_note")]:
                doc.note(line)
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


def _index_label(code: str, type_names: dict[str, str], metric: str = "overall_rate") -> str:
    """An index's name in the current language (weekly.index_label: the overall ranking
    by its target's metric)."""
    return weekly.index_label(code, type_names, lang(), metric)


def rank_cell(now: int | None, before: int | None) -> str:
    """A backward row's national rank and its move since a week before, in the words of
    全省一览 and the weekly report (fmt.rank_movement): 第11名（下降1名）; "—" for a 3+1
    index (no rank)."""
    if now is None:
        return "—"
    if before is None:
        return t("rank_nth", rank=now)
    return t("rank_with_move", rank=now, move=rank_movement(before, now))


def open_items_table(items: pl.DataFrame, type_names: dict[str, str],
                     metric: str = "overall_rate") -> pl.DataFrame:
    """The ledger's open items as read on the brief and in the weekly report."""
    names = enum_names()
    labels = {c: _index_label(c, type_names, metric)
              for c in items["index_code"].drop_nulls().unique()}
    return items.select(
        pl.col("requirement").alias(t("requirement")), pl.col("owner").alias(t("owner")),
        pl.col("due_on").alias(t("due_on")),
        pl.col("status").replace_strict(names, default=pl.col("status")).alias(t("status")),
        pl.when(pl.col("overdue")).then(pl.lit(t("overdue_item"))).otherwise(pl.lit(""))
        .alias(t("overdue_item")),
        pl.col("index_code").replace_strict(labels, default=pl.col("index_code"))
        .alias(t("linked_index")),
        pl.col("progress").alias(t("progress")))


def core_cards(core: pl.DataFrame) -> list[Card]:
    """The 3+1 cards: value, threshold, province and the status in the backward vocabulary
    (ENUMS green/amber/red/grey: 达到标准, 低于标准（不低于全省）, ...)."""
    return [Card(name=enum(r["index"]), value=pct(r["value"]), rate=r["value"],
                 sub=f"{t('threshold')} {pct(r['threshold'])} · {t('province_value')} "
                     f"{pct(r['province_value'])} · {enum(r['status'])}",
                 colour=charts.STATUS_COLOURS[r["status"]],
                 help=help_text(r["index"], threshold=pct(r["threshold"])))
            for r in core.iter_rows(named=True)]


def backward_rows(backward: pl.DataFrame, type_names: dict[str, str],
                  metric: str = "overall_rate") -> tuple[pl.DataFrame, pl.DataFrame]:
    """The flagged (backward) rows with their label and reasons in words, and the same as
    read on screen and on paper (rank with its move in words)."""
    flagged = backward.filter(pl.col("reasons").list.len() > 0).with_columns(
        label=pl.col("index").replace_strict(
            {c: _index_label(c, type_names, metric) for c in backward["index"].to_list()}),
        reason_text=pl.col("reasons").list.eval(
            pl.element().replace_strict(enum_names(), default=pl.element()))
        .list.join(t("list_sep")))
    columns = (t("backward_title"), t("value"), t("threshold"), t("province_value"), t("rank"),
               t("reason"))
    screen = pl.DataFrame(dict(zip(columns, [
        flagged["label"].to_list(), [pct(v) for v in flagged["value"]],
        [pct(v) for v in flagged["threshold"]], [pct(v) for v in flagged["province_value"]],
        [rank_cell(r, p) for r, p in
         zip(flagged["rank"], flagged["rank_week_before"], strict=True)],
        flagged["reason_text"].to_list()], strict=True)),
        schema=dict.fromkeys(columns, pl.String))
    return flagged, screen


def file_caption(caption: str, narrows: bool) -> str:
    """The files' filter line: when the sidebar narrows, it says the on-track figures are
    the official position and the filters touch only the subset and the pending cases."""
    return f"{caption} · {t('brief_filter_scope')}" if narrows else caption


def build(ctx: Context, brief: dict[str, Any], items: pl.DataFrame | None = None) -> Sections:
    backward: pl.DataFrame = brief["backward"]
    type_names = ctx.type_names()
    core = backward.filter(~pl.col("index").str.starts_with("rank_"))
    cards = core_cards(core)
    ranks: pl.DataFrame = brief["ranks"]
    # the overall ranking's rate is its target's metric (data: the targets table)
    metric = ctx.overall_metric()
    flagged, screen = backward_rows(backward, type_names, metric)
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
    open_items = (open_items_table(items, type_names, metric) if items is not None and items.height
                  else pl.DataFrame())
    projection: pl.DataFrame = brief["projection"]
    ranking_label = rate_label if brief["headline"] == "overall" else (
        f"{type_names.get(brief['headline'], brief['headline'])} · {rate_label}")
    position = None if headline.height == 0 else on_track(
        headline.row(0, named=True), projection.row(0, named=True) if projection.height
        else None, ranking_label)
    subset = subset_lines(brief["subset"], sidebar.subset_caption(ctx, markdown=False),
                          ranking_label)
    return Sections(cards=cards, backward=flagged, backward_screen=screen, no_data=no_data,
                    rate_label=rate_label, k=k, weekly=weekly, by_age=by_age, largest=largest,
                    ranks=ranks, period_start=ctx.filters.start, open_items=open_items,
                    on_track=position, subset=subset)
