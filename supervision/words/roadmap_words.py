"""The roadmap page's words for one plan (supervision.views.roadmap_view): the need is
official (all the court's cases), the cases planned, their expected yield and the shortfall
are the sidebar's subset's when it narrows, and say so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from supervision.words.fmt import num
from supervision.words.i18n import help_text, t


@dataclass(frozen=True)
class PlanWords:
    """Labels, help and sentences of one ranking's plan."""

    need: str
    need_help: str
    cases: str
    expected: str
    shortfall: str
    shortfall_help: str
    note: str | None        # what is official and what is the subset's (None: no subset)
    short: str | None       # the shortfall warning (None: no shortfall)


def plan_words(plan: dict[str, Any], subset: str) -> PlanWords:
    """The words of a plan; `subset` names the sidebar's subset (sidebar.subset_caption),
    used when the plan's cases are only that subset's (plan["subset"])."""
    k = plan["target_rank"]
    need_help = help_text("year_end_need", k=k)
    if not plan["subset"]:
        return PlanWords(need=t("roadmap_need"), need_help=need_help,
                         cases=t("roadmap_cases"), expected=t("roadmap_expected"),
                         shortfall=t("roadmap_shortfall"),
                         shortfall_help=help_text("plan_shortfall"), note=None,
                         short=_short("roadmap_short", plan))
    return PlanWords(need=t("roadmap_need_official"), need_help=need_help,
                     cases=t("roadmap_cases_subset"), expected=t("roadmap_expected_subset"),
                     shortfall=t("roadmap_shortfall_subset"),
                     shortfall_help=t("roadmap_shortfall_subset_help"),
                     note=t("roadmap_subset_note", subset=subset),
                     short=_short("roadmap_short_subset", plan, subset=subset))


def _short(key: str, plan: dict[str, Any], **extra: str) -> str | None:
    """The shortfall warning, or None when the plan's cases are expected to make the need."""
    if not plan["need"] or plan["shortfall"] <= 0:
        return None
    return t(key, need=num(plan["need"]), expected=f"{plan['expected_all']:,.1f}",
             pending=num(plan["pending"]), short=f"{plan['shortfall']:,.1f}", **extra)
