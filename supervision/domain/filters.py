"""The case subset a figure is computed over: the sidebar's filters, the user's courts, the
period. Hashable, so that it keys caches; turned into the `cases_in_scope` macro's STRUCT by
`scope`, bound as a parameter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Any

# the filters the sidebar sets (the explorer adds its own); None = no restriction
SIDEBAR_FILTERS = ("case_types", "value_min", "value_max", "priorities", "complexities")


@dataclass(frozen=True)
class Filters:
    """The case subset a metric is computed over (hashable, so it keys caches).

    None means "no restriction"; a tuple means "one of". Value bounds are yuan, [min, max).
    `courts` restricts the *cases* (set by supervision.views from the user's scope, never by
    a page); queries that rank nationally leave it out and restrict their output rows
    instead (see `scope`).
    """

    as_of: dt.date
    period_start: dt.date | None = None
    courts: tuple[str, ...] | None = None
    case_types: tuple[str, ...] | None = None
    value_min: float | None = None
    value_max: float | None = None
    priorities: tuple[str, ...] | None = None
    complexities: tuple[str, ...] | None = None
    closing_methods: tuple[str, ...] | None = None
    respondent_kinds: tuple[str, ...] | None = None
    filed_from: dt.date | None = None
    filed_to: dt.date | None = None
    closed_from: dt.date | None = None
    closed_to: dt.date | None = None
    text: str | None = None
    # an index's drill-through (the explorer): only the cases holding that index down
    # (queries/macros.sql `index_cases`); not a case filter of `scope`
    index: str | None = None

    @property
    def start(self) -> dt.date:
        """Period start: 1 January of the as-of year unless given."""
        return self.period_start or dt.date(self.as_of.year, 1, 1)

    def scope(self, *, national: bool = False) -> dict[str, Any]:
        """The STRUCT the `cases_in_scope` macro takes. national=True drops the court
        restriction so that ranks and provincial values see every court."""
        s: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("as_of", "period_start", "index"):
                continue
            value = getattr(self, f.name)
            if national and f.name == "courts":
                value = None
            if f.name in ("value_min", "value_max") and value is not None:
                value = float(value)
            if f.name == "text" and value is not None:
                value = value.strip() or None
            s[f.name] = list(value) if isinstance(value, tuple) else value
        return s

    def with_(self, **changes: Any) -> Filters:
        return replace(self, **changes)

    def official(self) -> Filters:
        """The filters of the official position: every case of the period up to the as-of
        date. A national target (top 20 overall, top 15 per type) is defined on all of a
        court's cases; a sidebar filter never changes it (it adds an analysis of a subset)."""
        return Filters(as_of=self.as_of, period_start=self.period_start)

    def narrows(self) -> bool:
        """Whether the sidebar's filters (value, priority, complexity, case type) select a
        subset of the cases: the view then adds an analysis of that subset, labelled as
        such, and never a target verdict of its own."""
        return any(getattr(self, name) is not None for name in SIDEBAR_FILTERS)

    def params(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "period_start": self.start}
