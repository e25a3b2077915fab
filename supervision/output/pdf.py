"""A4 PDF documents (the court brief; later the weekly report): HTML laid out by WeasyPrint
with Noto Sans CJK embedded (Debian's fonts-noto-cjk), charts drawn by matplotlib as SVG.
Text stays text: it can be selected, searched and extracted. Every text from the data is
HTML-escaped, so a court or respondent name is never markup; WeasyPrint may load nothing
but the document's own data: URIs (the charts); and matplotlib's math parser is off, so a
name with `$…$` in it is drawn as typed, not parsed as TeX (`$\\undefinedmacro$` failed
the whole document)."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

FONT_FAMILY = "'Noto Sans CJK SC', 'Noto Sans SC', 'Noto Sans CJK JP', sans-serif"
MPL_FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "DejaVu Sans"]
# the Okabe-Ito palette, as on screen
BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW, GREY = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#BBBBBB")
PALETTE = [BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW, GREY]

CSS = f"""
@page {{ size: A4 PAGE_ORIENTATION; margin: 12mm 11mm 14mm 11mm;
        @bottom-right {{ content: counter(page) " / " counter(pages); font-size: 8pt;
                         color: #666; font-family: {FONT_FAMILY}; }}
        @bottom-left {{ content: string(doc-title); font-size: 8pt; color: #666;
                        font-family: {FONT_FAMILY}; }} }}
body {{ font-family: {FONT_FAMILY}; font-size: 9pt; color: #222; }}
h1 {{ font-size: 16pt; margin: 0 0 2mm 0; string-set: doc-title content(); }}
h2 {{ font-size: 12pt; margin: 5mm 0 2mm 0; break-after: avoid; }}
p.note {{ color: #555; font-size: 8pt; margin: 0.5mm 0; }}
section {{ break-inside: avoid; }}
section.long {{ break-inside: auto; }}
table {{ border-collapse: collapse; width: 100%; table-layout: auto; }}
th, td {{ border: 0.4pt solid #bbb; padding: 1mm 1.4mm; text-align: left;
          vertical-align: top; overflow-wrap: break-word; }}
th {{ background: #f0f0f0; font-weight: bold; overflow-wrap: normal; word-break: normal;
      hyphens: manual; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; }}
th span.w, .card span.w {{ white-space: nowrap; }}
td.num {{ text-align: right; white-space: nowrap; }}
td.nowrap {{ white-space: nowrap; }}
td.anywhere {{ overflow-wrap: anywhere; }}
td.flag {{ background: #fde2d4; font-weight: bold; }}
table.compact th, table.compact td {{ padding: 0.5mm 0.7mm; font-size: 6.5pt; }}
.cards {{ display: flex; gap: 2mm; }}
.card {{ flex: 1; border-left: 2.2mm solid #bbb; padding: 1mm 2mm; }}
.card .name {{ font-size: 8pt; }}
.card .value {{ font-size: 15pt; font-weight: bold; }}
.card .sub {{ font-size: 7.5pt; color: #444; }}
img.chart {{ width: 100%; }}
"""


_FIGURE = re.compile(r"^[-+]?[\d.,]+%?$|^—$")
# Column widths by content. A CJK text may break between any two characters, so a table
# squeezed by its neighbours printed court names four characters wide: a column whose
# longest text is at most NOWRAP_WIDTH wide (half-width units, a CJK character counts two)
# and holds text without spaces (a CJK name, a case number, a date) keeps its line, as
# long as the kept columns take at most KEPT_SHARE of the page's width: figures first, then
# the table's first column (the court, the case), then the narrowest. English wraps between
# words only (never "Threshol / d"); long texts (reasons) take the width that is left.
NOWRAP_WIDTH = 32
# a column with a run of Latin characters longer than this (a web address, an odd name) may
# break it anywhere, so that the table still fits the page; other words stay whole
LONG_WORD = 16
_WORDS = re.compile(r"[\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+")   # spaces, CJK
KEPT_SHARE = 0.6
TEXT_WIDTH_MM = {False: 188.0, True: 275.0}      # A4 within the margins: portrait, landscape
FONT_PT = {False: 9.0, True: 6.5}                # table text: normal, compact
PADDING_MM = {False: 2.8, True: 1.4}             # a cell's left and right padding
PT_MM = 25.4 / 72
# a table of at most this many rows is kept on one page with its heading; a longer one
# flows on (its header repeated), so that no page is left near-empty before it
WHOLE_TABLE_ROWS = 6
# A header is never narrower than its words: an English word whole, a CJK header of at
# most HEADER_WHOLE characters on one line ("优先级", "未完成整改", not "优/先/级"), a longer
# one in runs of at most HEADER_RUN characters, broken before a bracket ("标的额/（万元）").
# The free-text columns (requirements, reasons) take what the headers leave.
HEADER_WHOLE = 6
HEADER_RUN = 4
_SPACES = re.compile(r"\s+")
_BRACKET = re.compile(r"(?=[（(])")
_CARD_SEP = " · "


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text))


def header_runs(text: str) -> list[str]:
    """The header's unbreakable runs (see HEADER_WHOLE): its words, a CJK word of more than
    HEADER_WHOLE characters cut before a bracket and into runs of about HEADER_RUN."""
    return [run for word in _SPACES.split(text.strip()) if word for run in _word_runs(word)]


def _word_runs(word: str) -> list[str]:
    if display_width(word) <= 2 * HEADER_WHOLE or not _cjk(word):
        return [word]
    return [run for part in _BRACKET.split(word) if part for run in _even_runs(part)]


def _cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(c) in "WF" for c in text)


def _even_runs(part: str) -> list[str]:
    """A CJK text of more than HEADER_WHOLE characters cut into runs of nearly equal length,
    none over HEADER_RUN characters; a shorter one whole."""
    if len(part) <= HEADER_WHOLE:
        return [part]
    count = -(-len(part) // HEADER_RUN)
    size = -(-len(part) // count)
    return [part[i:i + size] for i in range(0, len(part), size)]


def _header_html(text: str) -> str:
    """A header cell's text: its runs unbreakable, a line break allowed between them."""
    return " ".join("<wbr>".join(f"<span class='w'>{_e(run)}</span>"
                                 for run in _word_runs(word))
                    for word in _SPACES.split(text.strip()) if word)


def _header_width(text: str) -> int:
    """The header's narrowest width in half-width units: its widest run."""
    return max((display_width(run) for run in header_runs(text)), default=0)


def _phrases_html(text: str) -> str:
    """A card's line: each " · " part unbreakable ("达标" never split over two lines)."""
    return f"<wbr>{_e(_CARD_SEP)}".join(f"<span class='w'>{_e(part)}</span>"
                                       for part in text.split(_CARD_SEP))


def _cell_text(value: object) -> str:
    """A cell as printed: counts whole and amounts with one decimal, both with thousands
    separators; nulls as —."""
    if value is None:
        return "—"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def _kept_lines(texts: list[list[str]], numeric: list[bool], *, landscape: bool,
                compact: bool, header_widths: list[int] | None = None) -> list[bool]:
    """Which columns print without wrapping (see NOWRAP_WIDTH): within a budget of the
    page's width, figures first, then the first column, then the narrowest. A column is
    at least as wide as its header's widest run."""
    unit_mm = FONT_PT[compact] / 2 * PT_MM
    heads = header_widths or [0] * len(texts)
    bodies = [max((display_width(v) for v in column), default=0) for column in texts]
    widths = [max(body, head) * unit_mm + PADDING_MM[compact]
              for body, head in zip(bodies, heads, strict=True)]
    figures = [n or all(_FIGURE.match(v) for v in column)
               for column, n in zip(texts, numeric, strict=True)]
    # figures are charged their own width: the width their headers add is the floor any
    # column has, kept on one line or not
    budget = KEPT_SHARE * TEXT_WIDTH_MM[landscape] - sum(
        body * unit_mm + PADDING_MM[compact]
        for body, f in zip(bodies, figures, strict=True) if f)
    wanted = [not f and _short_unbroken(column) for column, f in zip(texts, figures,
                                                                    strict=True)]
    kept = list(figures)
    order = sorted((j for j in range(len(texts)) if wanted[j]), key=lambda j: (j != 0, widths[j]))
    for j in order:
        if widths[j] <= budget:
            kept[j], budget = True, budget - widths[j]
    return kept


def _long_word(column: list[str]) -> bool:
    return any(len(word) > LONG_WORD for v in column for word in _WORDS.split(v))


def _short_unbroken(column: list[str]) -> bool:
    """Short texts, one at least without a space to wrap at."""
    return (max((display_width(v) for v in column), default=0) <= NOWRAP_WIDTH
            and any(" " not in v.strip() for v in column if v != "—"))


def display_width(text: str) -> int:
    """The text's width in half-width units: a CJK (wide) character counts two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


@dataclass
class Document:
    """An A4 document built section by section, then rendered with `pdf()`."""

    title: str
    notes: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    landscape: bool = False     # A4 landscape for wide tables (one row per court)

    def heading(self, text: str) -> None:
        self.parts.append(f"<h2>{_e(text)}</h2>")

    def note(self, text: str) -> None:
        self.parts.append(f"<p class='note'>{_e(text)}</p>")

    def cards(self, cards: Sequence[tuple[str, str, str, str]]) -> None:
        """(name, value, sub-line, colour) cards in one row."""
        cells = "".join(
            f"<div class='card' style='border-left-color:{_e(colour)}'>"
            f"<div class='name'>{_e(name)}</div><div class='value'>{_phrases_html(value)}"
            f"</div><div class='sub'>{_phrases_html(sub)}</div></div>"
            for name, value, sub, colour in cards)
        self.parts.append(f"<section><div class='cards'>{cells}</div></section>")

    def table(self, frame: pl.DataFrame, *, heading: str | None = None,
              flagged: pl.DataFrame | None = None, note: str | None = None,
              compact: bool = False) -> None:
        """The frame as a table; numbers right-aligned; `flagged` (same shape, booleans)
        marks cells. A table too long for a page continues with its header repeated."""
        head = "".join(f"<th>{_header_html(c)}</th>" for c in frame.columns)
        rows = []
        numeric = [frame.schema[c].is_numeric() for c in frame.columns]
        texts = [[_cell_text(v) for v in frame[c].to_list()] for c in frame.columns]
        short = _kept_lines(texts, numeric, landscape=self.landscape, compact=compact,
                            header_widths=[_header_width(c) for c in frame.columns])
        breakable = [not kept and _long_word(column) for column, kept in zip(texts, short,
                                                                           strict=True)]
        flags = flagged.rows() if flagged is not None else None
        for i in range(frame.height):
            cells = []
            for j, column in enumerate(texts):
                text = column[i]
                classes = (["num"] if numeric[j] else ["nowrap"] if short[j]
                           else ["anywhere"] if breakable[j] else []) + (
                    ["flag"] if flags is not None and flags[i][j] else [])
                if _FIGURE.match(text) and "nowrap" not in classes:
                    classes.append("nowrap")     # a figure such as 88.7% stays on one line
                cells.append(f"<td class='{' '.join(classes)}'>{_e(text)}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        long = " class='long'" if frame.height > WHOLE_TABLE_ROWS else ""
        title = f"<h2>{_e(heading)}</h2>" if heading else ""
        after = f"<p class='note'>{_e(note)}</p>" if note else ""
        table_class = " class='compact'" if compact else ""
        self.parts.append(f"<section{long}>{title}<table{table_class}><thead><tr>{head}</tr></thead>"
                          f"<tbody>{''.join(rows)}</tbody></table>{after}</section>")

    def chart(self, svg: str, *, heading: str | None = None, note: str | None = None) -> None:
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        title = f"<h2>{_e(heading)}</h2>" if heading else ""
        after = f"<p class='note'>{_e(note)}</p>" if note else ""
        self.parts.append(f"<section>{title}<img class='chart' "
                          f"src='data:image/svg+xml;base64,{data}'>{after}</section>")

    def html(self) -> str:
        notes = "".join(f"<p class='note'>{_e(n)}</p>" for n in self.notes)
        css = CSS.replace("PAGE_ORIENTATION", "landscape" if self.landscape else "portrait")
        # the PDF's title and date come from the head (WeasyPrint's metadata)
        created = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        return (f"<!doctype html><html><head><meta charset='utf-8'>"
                f"<title>{_e(self.title)}</title>"
                f"<meta name='dcterms.created' content='{created}'><style>{css}</style>"
                f"</head><body><h1>{_e(self.title)}</h1>{notes}{''.join(self.parts)}"
                f"</body></html>")

    def pdf(self) -> bytes:
        from weasyprint import HTML, URLFetcher

        # the document's only resources are its data: URIs; nothing is fetched from a
        # network or a file, whatever the text says
        fetcher = URLFetcher(allowed_protocols={"data"})
        return HTML(string=self.html(), url_fetcher=fetcher).write_pdf()


# ------------------------------------------------------------------ charts (matplotlib)

def _figure(width_mm: float = 180, height_mm: float = 70):  # noqa: ANN202 - a pyplot pair
    import matplotlib

    matplotlib.use("svg", force=False)
    import matplotlib.pyplot as plt

    # text.parse_math off: a label is text, never TeX (`$\undefinedmacro$` raised)
    plt.rcParams.update({"font.family": MPL_FONTS, "svg.fonttype": "none",
                         "text.parse_math": False, "text.usetex": False,
                         "axes.unicode_minus": False, "font.size": 8,
                         "axes.spines.top": False})
    return plt.subplots(figsize=(width_mm / 25.4, height_mm / 25.4))


def _svg(fig) -> str:  # noqa: ANN001 - a matplotlib figure
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.tight_layout()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    return buffer.getvalue()


def trend_svg(weeks: list[dt.date], rates: list[float | None], cutoffs: list[float | None],
              ranks: list[int | None], *, rate_label: str, cutoff_label: str,
              rank_label: str) -> str:
    """The weekly rate and cutoff (%) with the national rank on a second, reversed axis."""
    from matplotlib.ticker import MaxNLocator

    fig, ax = _figure()
    pct = [None if r is None else r * 100 for r in rates]
    cut = [None if c is None else c * 100 for c in cutoffs]
    ax.plot(weeks, [float("nan") if v is None else v for v in pct], color=BLUE, lw=2,
            marker="o", ms=2.5, label=rate_label)
    ax.plot(weeks, [float("nan") if v is None else v for v in cut], color=VERMILLION, lw=1.2,
            ls="--", label=cutoff_label)
    ax.set_ylabel("%")
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#eee")
    right = ax.twinx()
    right.plot(weeks, [float("nan") if v is None else v for v in ranks], color=ORANGE, lw=1.2,
               ls=":", label=rank_label)
    known = [r for r in ranks if r is not None]
    right.set_ylim(max(known, default=1) + 0.5, 0.5)
    right.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    right.set_ylabel(rank_label)
    lines = ax.get_lines() + right.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], loc="lower left", ncols=3,
              bbox_to_anchor=(0, 1.0), frameon=False)
    fig.autofmt_xdate()
    return _svg(fig)


def stacked_bars_svg(categories: list[str], series: dict[str, list[float]], *,
                     y_label: str) -> str:
    """Stacked bars, one colour per series, legend above."""
    import numpy as np

    fig, ax = _figure(height_mm=75)
    bottom = np.zeros(len(categories))
    for i, (name, values) in enumerate(series.items()):
        ax.bar(categories, values, bottom=bottom, color=PALETTE[i % len(PALETTE)], label=name)
        bottom += np.asarray(values, dtype=float)
    from matplotlib.ticker import MaxNLocator

    ax.set_ylabel(y_label)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))   # counts of cases
    ax.grid(axis="y", color="#eee")
    ax.legend(loc="lower left", ncols=min(len(series), 5), bbox_to_anchor=(0, 1.0),
              frameon=False)
    ax.tick_params(axis="x", labelrotation=20)
    return _svg(fig)
