"""Reading an import file in batches of text cells, with bounded memory.

CSV (UTF-8 with or without BOM, or GBK/GB18030 when the text reads as simplified
Chinese), XLSX or Parquet. Every cell comes out as text; each batch carries `_row`, the row
number a user sees in the file (header = row 1 for CSV/XLSX, first record = row 1 for
Parquet). CSV rows that cannot be split into the header's fields come back as ready-made
rejects. A file that cannot be read raises UnreadableFile before the caller writes anything.
"""

from __future__ import annotations

import codecs
import csv
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

BATCH_ROWS = 200_000
ACCEPTED_ENCODINGS = "UTF-8 (with or without BOM) or GBK/GB18030"
_CHUNK = 1 << 22
# Bytes that GBK/GB18030 decodes "successfully" whatever the file really is: a Big5 file
# decodes into private-use code points and characters outside the GB2312 set. Real GBK
# court data is almost all GB2312 (rare name characters are the exception).
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_MAX_OUTSIDE_GB2312 = 0.05


class UnreadableFile(Exception):
    """The file cannot be read at all; the message is one line for the user."""


@dataclass
class Source:
    """An opened import file: its format, its header and where its text is."""

    path: Path
    kind: str                 # csv, xlsx, parquet
    header: list[str]
    text_path: Path | None = None   # UTF-8 text of a CSV (the file itself, or a transcoded copy)
    separator: str = ","
    quoted: bool = False      # the CSV uses quote characters: parsed by the csv module


def clean_header(name: str) -> str:
    return str(name).strip().lstrip("\ufeff").strip()


def open_source(path: Path, workdir: Path) -> Source:
    """Check that `path` is readable as a whole (format, encoding, header) and say how."""
    if not path.exists():
        raise UnreadableFile(f"{path}: no such file")
    if path.is_dir():
        raise UnreadableFile(f"{path}: is a directory, not a file")
    with open(path, "rb") as handle:
        head = handle.read(8192)
    if not head.strip():
        raise UnreadableFile(f"{path}: the file is empty")
    if head[:4] == b"PAR1":
        return _open_parquet(path)
    if head[:4] == b"PK\x03\x04":
        return _open_xlsx(path)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or _looks_utf16(head):
        raise UnreadableFile(f"{path}: UTF-16 text; save it as CSV in {ACCEPTED_ENCODINGS}")
    if b"\x00" in head:
        raise UnreadableFile(f"{path}: binary file, not CSV, XLSX or Parquet")
    return _open_csv(path, workdir)


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a byte-order mark: every other byte of ASCII text is zero."""
    sample = head[: len(head) // 2 * 2]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    return max(even, odd) > 0.4 * (len(sample) // 2) and min(even, odd) < 0.05 * (len(sample) // 2)


# ---------------------------------------------------------------- CSV


def _open_csv(path: Path, workdir: Path) -> Source:
    encoding = _detect_encoding(path)
    if encoding == "utf-8":
        text_path = path
    else:
        text_path = workdir / f"{len(list(workdir.iterdir()))}.utf8.csv"
        _transcode(path, text_path, encoding)
    with open(text_path, "rb") as handle:
        quoted = False
        first_line = handle.readline().decode("utf-8")
        handle.seek(0)
        while chunk := handle.read(_CHUNK):
            if b'"' in chunk:
                quoted = True
                break
    separator = "\t" if "\t" in first_line and "," not in first_line else ","
    header = _unique([clean_header(h) for h in
                      next(csv.reader([first_line], delimiter=separator), [])])
    if not any(header):
        raise UnreadableFile(f"{path}: the file is empty")
    return Source(path, "csv", header, text_path, separator, quoted)


def _unique(names: list[str]) -> list[str]:
    """A repeated header becomes `name (2)`, … (then ignored and named in the summary)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _detect_encoding(path: Path) -> str:
    """utf-8, utf-8-sig or gb18030; anything else is refused with the accepted list."""
    with open(path, "rb") as handle:
        bom = handle.read(3) == b"\xef\xbb\xbf"
    if _decodes(path, "utf-8"):
        return "utf-8-sig" if bom else "utf-8"
    if _decodes(path, "gb18030", check_gb=True):
        return "gb18030"
    raise UnreadableFile(f"{path}: cannot tell its text encoding with certainty (it is not "
                         f"UTF-8, and read as GBK it gives characters simplified-Chinese text "
                         f"does not use, as a Big5 file does); save it as CSV in "
                         f"{ACCEPTED_ENCODINGS}")


def _decodes(path: Path, encoding: str, *, check_gb: bool = False) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    non_ascii = outside = 0
    with open(path, "rb") as handle:
        try:
            while chunk := handle.read(_CHUNK):
                text = decoder.decode(chunk)
                if check_gb and text:
                    if _PRIVATE_USE.search(text):
                        return False
                    ascii_chars = len(text.encode("ascii", "ignore"))
                    wide = len(text) - ascii_chars
                    # GB2312 characters take two bytes, ASCII one
                    in_gb2312 = (len(text.encode("gb2312", "ignore")) - ascii_chars) // 2
                    non_ascii += wide
                    outside += wide - in_gb2312
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return not check_gb or non_ascii == 0 or outside / non_ascii <= _MAX_OUTSIDE_GB2312


def _transcode(path: Path, target: Path, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as out:
        while chunk := src.read(_CHUNK):
            out.write(decoder.decode(chunk))
        out.write(decoder.decode(b"", final=True))


def _csv_batches(source: Source) -> Iterator[tuple[pl.DataFrame, list[dict]]]:
    if source.quoted:
        yield from _quoted_csv_batches(source)
    else:
        yield from _plain_csv_batches(source)


def _plain_csv_batches(source: Source) -> Iterator[tuple[pl.DataFrame, list[dict]]]:
    """A CSV without quote characters: one record per line, split and checked in polars."""
    width = len(source.header)
    # "\x00" never occurs (binary files are refused), so each line is one cell
    lines = pl.scan_csv(source.text_path, has_header=False, separator="\x00", quote_char=None,
                        infer_schema=False, new_columns=["line"], skip_rows=1,
                        raise_if_empty=False,
                        ).with_row_index("_row", offset=2)
    for batch in lines.collect_batches(chunk_size=BATCH_ROWS):
        batch = batch.with_columns(pl.col("_row").cast(pl.Int64),
                                   pl.col("line").str.strip_suffix("\r").fill_null(""))
        batch = batch.filter(pl.col("line") != "")
        fields = pl.col("line").str.split(source.separator)
        batch = batch.with_columns(_n=fields.list.len())
        bad = batch.filter(pl.col("_n") != width)
        ragged = [dict(file=str(source.path), row=r, column="", value=line[:200],
                       reason=f"row has {n} fields, the header has {width}")
                  for r, line, n in bad.select("_row", "line", "_n").iter_rows()]
        good = batch.filter(pl.col("_n") == width)
        split = good.select("_row", pl.col("line").str.split(source.separator)
                            .list.to_struct(fields=[f"_c{i}" for i in range(width)])
                            .alias("_s")).unnest("_s")
        split = split.rename({f"_c{i}": name for i, name in enumerate(source.header)})
        yield split.with_columns(pl.exclude("_row").replace("", None)), ragged


def _quoted_csv_batches(source: Source) -> Iterator[tuple[pl.DataFrame, list[dict]]]:
    """A CSV with quoted fields (commas or line breaks inside a value): the csv module
    splits the records, a batch at a time."""
    width = len(source.header)
    names = [*source.header, "_row"]
    with open(source.text_path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=source.separator)
        next(reader, None)
        while True:
            good: list[list] = []
            ragged: list[dict] = []
            for fields in reader:
                if not fields:
                    continue
                if len(fields) != width:
                    ragged.append(dict(
                        file=str(source.path), row=reader.line_num, column="",
                        value=source.separator.join(fields)[:200],
                        reason=f"row has {len(fields)} fields, the header has {width}"))
                else:
                    good.append([None if f == "" else f for f in fields] + [reader.line_num])
                if len(good) + len(ragged) >= BATCH_ROWS:
                    break
            if not good and not ragged:
                return
            frame = pl.DataFrame(good, schema={n: pl.String for n in names}, orient="row")
            yield frame.with_columns(pl.col("_row").cast(pl.Int64)), ragged


# ---------------------------------------------------------------- XLSX and Parquet


def _open_xlsx(path: Path) -> Source:
    try:
        import fastexcel

        sheet = fastexcel.read_excel(str(path)).load_sheet(0, n_rows=0, dtypes="string")
        header = [clean_header(c.name) for c in sheet.available_columns()]
    except Exception as exc:  # the reader raises many kinds; all mean "not a readable XLSX"
        raise UnreadableFile(f"{path}: not a readable XLSX workbook ({type(exc).__name__})"
                             ) from None
    return Source(path, "xlsx", header)


def _xlsx_batches(source: Source) -> Iterator[tuple[pl.DataFrame, list[dict]]]:
    import fastexcel

    # An XLSX holds at most 1,048,576 rows; its cells are read once as text.
    sheet = fastexcel.read_excel(str(source.path)).load_sheet(0, dtypes="string")
    frame = pl.from_arrow(sheet.to_arrow())
    del sheet
    frame = frame.rename({c: clean_header(c) for c in frame.columns})
    frame = frame.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))
    for offset in range(0, frame.height, BATCH_ROWS):
        yield frame.slice(offset, BATCH_ROWS), []


def _open_parquet(path: Path) -> Source:
    import pyarrow.parquet as pq

    try:
        header = [clean_header(n) for n in pq.ParquetFile(path).schema_arrow.names]
    except Exception as exc:
        raise UnreadableFile(f"{path}: not a readable Parquet file ({type(exc).__name__})"
                             ) from None
    return Source(path, "parquet", header)


def _parquet_batches(source: Source) -> Iterator[tuple[pl.DataFrame, list[dict]]]:
    import pyarrow.parquet as pq

    row = 1
    for record_batch in pq.ParquetFile(source.path).iter_batches(batch_size=BATCH_ROWS):
        frame = pl.from_arrow(record_batch)
        frame = frame.with_columns(
            [pl.col(c).dt.strftime("%Y-%m-%d") if frame.schema[c] in (pl.Date, pl.Datetime)
             else pl.col(c).cast(pl.String) for c in frame.columns])
        frame = frame.rename({c: clean_header(c) for c in frame.columns})
        frame = frame.with_row_index("_row", offset=row).with_columns(
            pl.col("_row").cast(pl.Int64))
        row += frame.height
        yield frame, []


def batches(source: Source) -> Iterator[tuple[pl.DataFrame, list[dict]]]:
    """(text cells with `_row`, ragged-row rejects) for each batch of the file."""
    reader = {"csv": _csv_batches, "xlsx": _xlsx_batches, "parquet": _parquet_batches}
    yield from reader[source.kind](source)


def workdir() -> tempfile.TemporaryDirectory:
    """Where transcoded copies live for the length of one import."""
    return tempfile.TemporaryDirectory(prefix="supervision-import-")

