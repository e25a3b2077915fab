"""The weekly report as published: `python -m supervision weekly --publish` (the Monday job)
keeps the PDF and XLSX bytes in the operational store with their SHA-256, the case-data
version they were built from (the served file's version and SHA-256, its last import) and
the figures they show. A publication is never changed (the store refuses UPDATE and DELETE):
a download later gives the same bytes whatever was imported since, and "what changed since
publication" compares today's figures for that week's date with the published ones.

Last week's ranks on every page are the published ones where a publication exists
(`with_published_ranks`, called by supervision.views)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Engine, select

from supervision.engine.metrics import CORE_INDICES
from supervision.security import audit
from supervision.store.schema import weekly_publications

KINDS = ("pdf", "xlsx")
FIGURES_SCHEMA = {"court_code": pl.String, "index": pl.String, "value": pl.Float64}
LISTED = ("id", "province", "as_of", "language", "title", "data_version", "data_sha256",
          "data_loaded_at", "data_latest", "pdf_sha256", "xlsx_sha256", "published_by",
          "published_at")


class PublicationError(Exception):
    """A publication refused or damaged; the message is for the user."""


@dataclass(frozen=True)
class DataVersion:
    """The case-database version a report was built from."""
    version: str            # inode:mtime:size of the served file (supervision.data.db)
    sha256: str             # of the served file's bytes
    loaded_at: dt.datetime | None
    latest: dt.date | None


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def figures(view: dict[str, Any]) -> pl.DataFrame:
    """The figures a weekly report shows, one row per court and index: the national rank
    (rank_overall) and each specific type's (rank_<type>), the overall rate, the 3+1
    indices and the number of backward indices (backward). Long form, as stored."""
    courts: pl.DataFrame = view["courts"]
    columns = {"rank_overall": "rank", "rate": "rate", "backward": "backward",
               **{i: i for i in CORE_INDICES},
               **{f"rank_{c}": f"rank_{c}" for c in view["specific_types"]}}
    present = {index: col for index, col in columns.items() if col in courts.columns}
    if not present or not courts.height:
        return pl.DataFrame(schema=FIGURES_SCHEMA)
    return (courts.select("court_code", *(pl.col(c).cast(pl.Float64).alias(i)
                                          for i, c in present.items()))
            .unpivot(index="court_code", variable_name="index", value_name="value")
            .sort("court_code", "index"))


def publish(store: Engine, *, province: str, as_of: dt.date, language: str, title: str,
            data: DataVersion, pdf: bytes, xlsx: bytes, shown: pl.DataFrame,
            actor: str) -> dict[str, Any]:
    """Keep one week's report; returns its row as read back from the store (without the
    bytes), after checking the stored bytes' SHA-256. A week already published in this
    language is refused: a publication stays as it was sent."""
    with store.begin() as connection:
        exists = connection.execute(select(weekly_publications.c.id).where(
            (weekly_publications.c.province == province)
            & (weekly_publications.c.as_of == as_of)
            & (weekly_publications.c.language == language))).first()
        if exists:
            raise PublicationError(f"the report of {province} for {as_of} ({language}) was "
                                   f"already published (#{exists[0]}); a publication is "
                                   "never replaced")
        row = dict(province=province, as_of=as_of, language=language, title=title,
                   data_version=data.version, data_sha256=data.sha256,
                   data_loaded_at=data.loaded_at, data_latest=data.latest,
                   pdf=pdf, pdf_sha256=sha256(pdf), xlsx=xlsx, xlsx_sha256=sha256(xlsx),
                   figures=json.dumps(shown.to_dicts(), ensure_ascii=False),
                   published_by=actor, published_at=audit.now().replace(microsecond=0))
        new_id = connection.execute(weekly_publications.insert().values(**row)
                                    ).inserted_primary_key[0]
        audit.record(connection, actor, "weekly_published", f"{province} {as_of}",
                     id=new_id, language=language, pdf_sha256=row["pdf_sha256"],
                     xlsx_sha256=row["xlsx_sha256"], data_version=data.version,
                     data_sha256=data.sha256)
    for kind in KINDS:   # read back after the commit
        document(store, new_id, kind)
    return publication(store, new_id)


def publication(store: Engine, publication_id: int) -> dict[str, Any]:
    """One publication's row without the bytes (KeyError when there is none)."""
    with store.connect() as connection:
        row = connection.execute(select(*(weekly_publications.c[c] for c in LISTED)).where(
            weekly_publications.c.id == publication_id)).mappings().first()
    if row is None:
        raise KeyError(publication_id)
    return dict(row)


def publications(store: Engine, province: str | None) -> pl.DataFrame:
    """The publications of a province (every province: None), newest week first, without
    the bytes."""
    query = select(*(weekly_publications.c[c] for c in LISTED)).order_by(
        weekly_publications.c.as_of.desc(), weekly_publications.c.id.desc())
    if province is not None:
        query = query.where(weekly_publications.c.province == province)
    with store.connect() as connection:
        rows = [dict(r) for r in connection.execute(query).mappings().all()]
    schema = {"id": pl.Int64, "province": pl.String, "as_of": pl.Date, "language": pl.String,
              "title": pl.String, "data_version": pl.String, "data_sha256": pl.String,
              "data_loaded_at": pl.Datetime, "data_latest": pl.Date, "pdf_sha256": pl.String,
              "xlsx_sha256": pl.String, "published_by": pl.String,
              "published_at": pl.Datetime}
    return pl.DataFrame(rows, schema=schema)


def document(store: Engine, publication_id: int, kind: str,
             province: str | None = None) -> bytes:
    """The published file's bytes as stored, checked against the SHA-256 stored beside
    them. `province`: the reader's province, which must be the publication's (None: the
    command line, every province)."""
    if kind not in KINDS:
        raise ValueError(f"no such file: {kind}")
    content_col = weekly_publications.c[kind]
    with store.connect() as connection:
        row = connection.execute(select(content_col, weekly_publications.c[f"{kind}_sha256"],
                                        weekly_publications.c.province).where(
            weekly_publications.c.id == publication_id)).first()
    if row is None or (province is not None and row[2] != province):
        raise PublicationError(f"no publication #{publication_id}")
    content, stored_sha, _ = row
    content = bytes(content)
    if sha256(content) != stored_sha:
        raise PublicationError(f"publication #{publication_id}: the stored {kind} does not "
                               "match its SHA-256")
    return content


def published_figures(store: Engine, publication_id: int) -> pl.DataFrame:
    with store.connect() as connection:
        text = connection.execute(select(weekly_publications.c.figures).where(
            weekly_publications.c.id == publication_id)).scalar_one()
    return pl.DataFrame(json.loads(text), schema=FIGURES_SCHEMA)


def changes(published: pl.DataFrame, today: pl.DataFrame) -> pl.DataFrame:
    """Where today's figures for a publication's week differ from the published ones: one
    row per court and index (a figure present on one side only counts as a change)."""
    joined = published.join(today, on=["court_code", "index"], how="full", coalesce=True,
                            suffix="_today")
    differs = ~pl.col("value").eq_missing(pl.col("value_today"))
    return (joined.filter(differs)
            .select("court_code", "index", published="value", today="value_today")
            .sort("court_code", "index"))


def published_ranks(store: Engine, as_of: dt.date) -> pl.DataFrame:
    """The national ranks published for the week ending `as_of`: court_code, ranking, rank
    (a court in several publications of that date: the newest one's)."""
    with store.connect() as connection:
        rows = connection.execute(
            select(weekly_publications.c.figures).where(weekly_publications.c.as_of == as_of)
            .order_by(weekly_publications.c.id.desc())).scalars().all()
    frames = [pl.DataFrame(json.loads(text), schema=FIGURES_SCHEMA) for text in rows]
    if not frames:
        return pl.DataFrame(schema={"court_code": pl.String, "ranking": pl.String,
                                    "rank": pl.Int64})
    return (pl.concat(frames).filter(pl.col("index").str.starts_with("rank_"))
            .unique(["court_code", "index"], keep="first", maintain_order=True)
            .select("court_code", ranking=pl.col("index").str.strip_prefix("rank_"),
                    rank=pl.col("value").cast(pl.Int64)))


def with_published_ranks(ranks: pl.DataFrame, as_of: dt.date,
                         store: Engine | None = None) -> pl.DataFrame:
    """`ranks` (rows of court_code, ranking, rank …, as of `as_of`) with the published rank
    wherever a publication for `as_of` holds that court and ranking: last week's ranks on
    every page are the ones the command center sent. Other rows are left as they are."""
    if store is None:
        from supervision.store import engine

        store = engine()
    published = published_ranks(store, as_of)
    if not published.height or not ranks.height:
        return ranks
    marked = published.with_columns(published=pl.lit(True))
    # a rank column of nulls only has no integer type: the published ranks give it one
    dtype = pl.Int64 if ranks.schema["rank"] == pl.Null else ranks.schema["rank"]
    return (ranks.join(marked.rename({"rank": "published_rank"}),
                       on=["court_code", "ranking"], how="left")
            .with_columns(rank=pl.when(pl.col("published"))
                          .then(pl.col("published_rank")).otherwise(pl.col("rank"))
                          .cast(dtype))
            .drop("published_rank", "published"))
