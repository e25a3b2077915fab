"""Reading an import file in batches of text cells, with bounded memory.

CSV (UTF-8 with or without BOM, or GBK/GB18030 when the text reads as simplified
Chinese), XLSX or Parquet. Every cell comes out as text; each batch carries `_row`, the row
number a user sees in the file (header = row 1 for CSV/XLSX, first record = row 1 for
Parquet). CSV rows that cannot be split into the header's fields come back as ready-made
rejects. A file that cannot be read raises UnreadableFile before the caller writes anything.

An XLSX is read whole by its reader (calamine, through fastexcel), which allocates every
cell of the sheet's extent: one cell at XFD1048576 asks for 550 GB. So before it is handed
over, the workbook is opened as a zip and checked against the caps below, and refused with
a message saying what to do (save it as CSV, which is streamed, or split it).
"""

from __future__ import annotations

import codecs
import csv
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

BATCH_ROWS = 200_000
ACCEPTED_ENCODINGS = "UTF-8 (with or without BOM) or GBK/GB18030"
_CHUNK = 1 << 22
_BARE_CR = re.compile("\r(?!\n)")
# Bytes that GBK/GB18030 decodes "successfully" whatever the file really is: a Big5 file
# decodes into private-use code points and characters outside the GB2312 set. Real GBK
# court data is almost all GB2312 (rare name characters are the exception).
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_MAX_OUTSIDE_GB2312 = 0.05

# What an XLSX may hold before it is read (measured with fastexcel 0.21 on 2 cores): reading
# takes ~100 bytes per cell of the sheet's extent (calamine's grid of 32-byte cells, the
# strings, the Arrow copy), so 10 M cells take ~1 GB; the 10 M-cell case file (450,000
# rows × 22 columns, 37 MB) imported at 1.0 GB resident, within the import's memory limit
# (SUPERVISION_IMPORT_MEMORY_MB). Its XML expands to 390 MB, hence the uncompressed cap.
# The widest import table has 22 columns: 100 leaves room for columns the import ignores.
# Real workbooks compress 10–20 times (measured: dense text, numbers, blank styled cells);
# a member above 100 times is a zip bomb. Larger files import as CSV, read in batches.
MAX_XLSX_COLUMNS = 100
# the longest field the csv module reads from a quoted CSV (its own default is 128 KiB; a
# longer field stopped the import without a line number); the importer rejects any text
# longer than its own limit row by row
MAX_CSV_FIELD = 16 * 1024 * 1024
MAX_XLSX_CELLS = 10_000_000                 # rows × columns of a sheet's extent
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024   # every member of the zip, expanded
MAX_COMPRESSION_RATIO = 100
_RATIO_FROM = 1024 * 1024                   # smaller members are never a bomb worth a check
_SAVE_AS = "请另存为 CSV 或拆分文件 / save it as CSV or split it"


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
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnreadableFile(f"{path}: 这是 Excel 97-2003 (.xls) 或加密的工作簿；请另存为未加密的 "
                             f".xlsx 或 CSV / an Excel 97-2003 (.xls) or encrypted workbook; "
                             f"save it as an unencrypted .xlsx or as CSV")
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
    nul_line, cr_only = _line_ends(path)
    if nul_line:
        raise UnreadableFile(
            f"{path}: 第 {nul_line:,} 行含有 NUL 字符（\\0），不是纯文本 CSV；请另存为 CSV 后再导入 / "
            f"line {nul_line:,} holds a NUL character (\\0): not a plain-text CSV; save it "
            f"as CSV and import again")
    if encoding == "utf-8" and not cr_only:
        text_path = path
    else:
        # UTF-8 for the readers, and lines that end in CR alone (old Mac files) ended in LF
        text_path = workdir / f"{len(list(workdir.iterdir()))}.utf8.csv"
        _transcode(path, text_path, encoding, cr_only=cr_only)
    with open(text_path, "rb") as handle:
        quoted = False
        first_line = handle.readline().decode("utf-8")
        handle.seek(0)
        while chunk := handle.read(_CHUNK):
            if b'"' in chunk:
                quoted = True
                break
    separator = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        names = next(csv.reader([first_line], delimiter=separator), [])
    except csv.Error as exc:
        raise UnreadableFile(f"{path}: 第一行（表头）无法读取（{exc}）/ the header line cannot "
                             f"be read ({exc}); nothing was imported") from None
    header = _unique([clean_header(h) for h in names])
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


def _transcode(path: Path, target: Path, encoding: str, *, cr_only: bool = False) -> None:
    """`path` as UTF-8 at `target`; with `cr_only`, every CR not followed by LF (a line
    end of an old Mac file) as LF."""
    decoder = codecs.getincrementaldecoder(encoding)()
    held = ""       # a CR at the end of a piece: is the next piece's first character LF?
    with open(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as out:
        while chunk := src.read(_CHUNK):
            text = held + decoder.decode(chunk)
            if cr_only:
                held = "\r" if text.endswith("\r") else ""
                text = _BARE_CR.sub("\n", text[:len(text) - len(held)])
            out.write(text)
        rest = held + decoder.decode(b"", final=True)
        out.write(_BARE_CR.sub("\n", rest) if cr_only else rest)


def _line_ends(path: Path) -> tuple[int | None, bool]:
    """(the line of the first NUL byte, or None; whether lines end in CR alone: the file's
    first line break is a CR not followed by LF, as old Mac files have, whose quoted cells
    may still hold LF). A NUL past the head the binary check reads would split a line of
    the plain reader; a file of CR-ended lines would read as one line."""
    lines = 1
    cr_ended: bool | None = None
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            if cr_ended is None:
                cr, lf = chunk.find(b"\r"), chunk.find(b"\n")
                if cr >= 0 and (lf < 0 or cr < lf):
                    if cr == len(chunk) - 1:
                        chunk += handle.read(1)
                    cr_ended = chunk[cr + 1:cr + 2] != b"\n"
                elif lf >= 0:
                    cr_ended = False
            line_break = b"\r" if cr_ended else b"\n"
            at = chunk.find(b"\0")
            if at >= 0:
                return lines + chunk[:at].count(line_break), bool(cr_ended)
            lines += chunk.count(line_break)
    return None, bool(cr_ended)


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
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CSV_FIELD))
    with open(source.text_path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=source.separator)
        next(reader, None)
        while True:
            good: list[list] = []
            ragged: list[dict] = []
            for fields in _records(reader, source.path):
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


def _records(reader: Any, path: Path) -> Iterator[list[str]]:
    """The csv module's records; a file it cannot split (a field past MAX_CSV_FIELD) is
    refused with the line where it stopped."""
    try:
        yield from reader
    except csv.Error as exc:
        raise UnreadableFile(f"{path}: 第 {reader.line_num:,} 行无法读取（{exc}）/ line "
                             f"{reader.line_num:,} cannot be read ({exc}); nothing was "
                             f"imported") from None


# ---------------------------------------------------------------- XLSX and Parquet


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _column_letters(n: int) -> str:
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Extent:
    """The rows and columns a sheet spans (first and last, 1-based)."""
    first_row: int
    last_row: int
    first_column: int
    last_column: int

    @property
    def rows(self) -> int:
        return self.last_row - self.first_row + 1

    @property
    def columns(self) -> int:
        return self.last_column - self.first_column + 1

    @property
    def last_cell(self) -> str:
        return f"{_column_letters(self.last_column)}{self.last_row}"

    def too_large(self) -> bool:
        return self.columns > MAX_XLSX_COLUMNS or self.rows * self.columns > MAX_XLSX_CELLS


_CAPS = (f"XLSX 最多读取 {MAX_XLSX_COLUMNS} 列、{MAX_XLSX_CELLS:,} 个单元格（行 × 列）"
         f" / at most {MAX_XLSX_COLUMNS} columns and {MAX_XLSX_CELLS:,} cells (rows × "
         f"columns) are read from an XLSX")
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']"
                        rb"([A-Za-z]{1,3})(\d{1,7})(?::([A-Za-z]{1,3})(\d{1,7}))?[\"']")
# the fast scan: every writer we know puts r="B7" on each cell; when a piece of the sheet
# holds another count of cells than of such references, it is read again tag by tag
_CELL_REF = re.compile(rb' r="([A-Z]{1,4})(\d{1,9})"')
_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTRIBUTE = re.compile(rb"(?:^|\s)r\s*=\s*[\"']([A-Za-z]*)(\d*)[\"']")
_SHEET_NAME = re.compile(rb"<(?:[\w.-]+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"[^>]*?\b"
                         rb"(?:[\w.-]+:)?id=\"([^\"]*)\"")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^>]*?\bId=\"([^\"]*)\"[^>]*?"
                           rb"\bTarget=\"([^\"]*)\"|<(?:[\w.-]+:)?Relationship\b[^>]*?"
                           rb"\bTarget=\"([^\"]*)\"[^>]*?\bId=\"([^\"]*)\"")


def check_xlsx(path: Path) -> None:
    """Refuse, before any of it is read as a workbook, an XLSX that is not a zip, that
    expands beyond MAX_XLSX_UNCOMPRESSED or more than MAX_COMPRESSION_RATIO times, or one
    of whose sheets declares or holds more than MAX_XLSX_COLUMNS columns or MAX_XLSX_CELLS
    cells. The sheets are streamed to the end (their CRC checked, a few seconds for the
    largest accepted file): calamine allocates by the cells a sheet holds, whatever its
    declared dimension says."""
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UnreadableFile(f"{path}: 不是可读取的 XLSX 工作簿（无法作为 zip 打开）/ not a "
                             f"readable XLSX workbook (not a zip archive)") from None
    try:
        with book:
            _check_book(path, book)
    except (UnreadableFile, MemoryError):
        raise
    except (RuntimeError, NotImplementedError) as exc:  # zipfile: encrypted, other methods
        raise UnreadableFile(f"{path}: 工作簿已加密或压缩方式不受支持 / the workbook is "
                             f"encrypted or compressed in an unsupported way "
                             f"({type(exc).__name__})") from None
    except Exception as exc:  # zipfile, zlib and the decoders raise many kinds
        # a damaged member, a CRC that does not match what it expands to
        raise UnreadableFile(f"{path}: 工作簿已损坏 / not a readable XLSX workbook (damaged: "
                             f"{type(exc).__module__}.{type(exc).__name__})") from None


def _check_book(path: Path, book: zipfile.ZipFile) -> None:
    members = book.infolist()
    names = {m.filename for m in members}
    if len(names) != len(members):
        raise UnreadableFile(f"{path}: zip 中有重名条目，不是正常的 XLSX / the zip archive "
                             f"repeats an entry's name: not a workbook; nothing was read")
    expanded = sum(m.file_size for m in members)
    if expanded > MAX_XLSX_UNCOMPRESSED:
        zh, en = _SAVE_AS.split(" / ")
        raise UnreadableFile(
            f"{path}: 解压后共 {expanded / 2**20:,.0f} MB，最多读取 "
            f"{MAX_XLSX_UNCOMPRESSED / 2**20:,.0f} MB；{zh} / the workbook expands to "
            f"{expanded / 2**20:,.0f} MB; at most {MAX_XLSX_UNCOMPRESSED / 2**20:,.0f} MB "
            f"are read — {en}")
    for m in members:
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > _RATIO_FROM and ratio > MAX_COMPRESSION_RATIO:
            raise UnreadableFile(
                f"{path}: {m.filename} 解压后膨胀 {ratio:,.0f} 倍（最多 {MAX_COMPRESSION_RATIO} "
                f"倍），是压缩炸弹而非工作簿，未读取 / {m.filename} expands {ratio:,.0f} times "
                f"(at most {MAX_COMPRESSION_RATIO} is accepted): a zip bomb, not a workbook; "
                f"nothing was read")
    if "xl/workbook.xml" not in names:
        raise UnreadableFile(f"{path}: 是 zip 文件但不是 XLSX 工作簿 / a zip archive but not "
                             f"an XLSX workbook (no xl/workbook.xml)")
    titles = dict(_sheets(book))
    for m in sorted(members, key=lambda m: m.filename):
        if _is_worksheet(m.filename):
            _check_sheet(path, book, m.filename, titles.get(m.filename, m.filename))
        elif m.file_size > _RATIO_FROM:
            # the shared strings and the like: read through, so that what they expand to
            # is what they declare (zipfile checks the CRC at the end)
            with book.open(m) as stream:
                while stream.read(_CHUNK):
                    pass


def _is_worksheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml") and name.count("/") == 2


def _sheets(book: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(member name, the sheet's name as Excel shows it) of every sheet, in the workbook's
    order (the first is the one an import reads); empty when the workbook's parts are
    missing or too large to be its own (best effort)."""
    rels = "xl/_rels/workbook.xml.rels"
    small = {m.filename for m in book.infolist() if m.file_size < 4 * 2**20}
    if rels not in small or "xl/workbook.xml" not in small:
        return []
    targets = {}
    for a, b, c, d in _RELATIONSHIP.findall(book.read(rels)):
        ident, target = (a, b) if a else (d, c)
        target = target.decode("utf-8", "replace").lstrip("/")
        targets[ident] = target if target.startswith("xl/") else f"xl/{target}"
    return [(targets[ident], name.decode("utf-8", "replace"))
            for name, ident in _SHEET_NAME.findall(book.read("xl/workbook.xml"))
            if ident in targets]


def _too_large(path: Path, title: str, extent: Extent, declared: bool) -> UnreadableFile:
    caps_zh, caps_en = _CAPS.split(" / ")
    save_zh, save_en = _SAVE_AS.split(" / ")
    size = f"{extent.rows:,} 行 × {extent.columns:,} 列"
    size_en = f"{extent.rows:,} rows × {extent.columns:,} columns"
    if declared:
        return UnreadableFile(
            f"{path}: 工作表「{title}」声明了 {size}；{caps_zh}；{save_zh} / the file declares "
            f"{size_en} (sheet {title}); {caps_en} — {save_en}")
    return UnreadableFile(
        f"{path}: 工作表「{title}」的单元格延伸到 {extent.last_cell}，共 {size}；{caps_zh}；"
        f"{save_zh} / the file holds cells up to {extent.last_cell} (sheet {title}): "
        f"{size_en}; {caps_en} — {save_en}")


def _check_sheet(path: Path, book: zipfile.ZipFile, member: str, title: str) -> None:
    with book.open(member) as stream:
        head = stream.read(1 << 16)
    declared = _DIMENSION.search(head)
    if declared:
        c1, r1, c2, r2 = declared.groups()
        rows = sorted((int(r1), int(r2 or r1)))
        columns = sorted((_column_number(c1.decode()), _column_number((c2 or c1).decode())))
        extent = Extent(rows[0], rows[1], columns[0], columns[1])
        if extent.too_large():
            raise _too_large(path, title, extent, declared=True)
    extent = _held_extent(book, member)
    if extent is not None and extent.too_large():
        raise _too_large(path, title, extent, declared=False)


def _chunks(book: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """The member's XML, read to its end, in pieces that never split a tag."""
    rest = b""
    with book.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            data = rest + chunk
            cut = data.rfind(b"<")
            if cut == -1:          # text only, no tag begins here
                rest = b""
                yield data
            elif cut == 0:         # one tag, still open
                if len(data) > 4 * _CHUNK:
                    raise ValueError("a tag longer than 16 MB")
                rest = data
            else:
                rest = data[cut:]
                yield data[:cut]
    if rest:
        yield rest


def _held_extent(book: zipfile.ZipFile, member: str) -> Extent | None:
    """The rows and columns the sheet's cells really span (None: no cells). A cell's `r`
    names its column and row, and calamine places it there whatever its row says."""
    rows: list[int] = []
    columns: set[bytes] = set()
    for chunk in _chunks(book, member):
        refs = _CELL_REF.findall(chunk)
        if len(refs) != chunk.count(b"<c ") + chunk.count(b"<c>") + chunk.count(b"<c/>"):
            return _held_extent_by_tags(book, member)
        if refs:
            columns.update(letters for letters, _ in refs)
            numbers = [int(digits) for _, digits in refs]
            rows += (min(numbers), max(numbers))
    if not rows:
        return None
    numbers = [_column_number(c.decode()) for c in columns]
    return Extent(min(rows), max(rows), min(numbers), max(numbers))


def _held_extent_by_tags(book: zipfile.ZipFile, member: str) -> Extent | None:
    """The exact extent, tag by tag, for sheets whose cells leave out `r` (a cell then
    follows the one before, a row the row before) or whose text looks like a reference."""
    first_row = first_column = 1 << 62
    last_row = last_column = 0
    row = column = 0
    for chunk in _chunks(book, member):
        for closing, name, attributes in _TAG.findall(chunk):
            if closing:
                continue
            ref = _R_ATTRIBUTE.search(attributes)
            letters, digits = (ref.group(1), ref.group(2)) if ref else (b"", b"")
            if name == b"row":
                row = int(digits) if digits else row + 1
                column = 0
                continue
            if digits:
                row = int(digits)
            column = _column_number(letters.decode()) if letters else column + 1
            first_row, last_row = min(first_row, row), max(last_row, row)
            first_column, last_column = min(first_column, column), max(last_column, column)
    if not last_row or not last_column:
        return None
    return Extent(first_row, last_row, first_column, last_column)


_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f(?=[\s/>])")
_SHEET_DATA_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sheetData\s*>|<(?:[A-Za-z_][\w.-]*:)?"
                             rb"sheetData\s*/>")
_LAST_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])[^>]*?\sr\s*=\s*[\"']"
                        rb"([A-Za-z]+\d+)[\"']")


def formula_cells(path: Path, at_most: int = 5) -> list[str]:
    """The first formula cells (as B7) of the sheet an import reads: a formula's stored
    result is whatever the writer left (none, 0, a stale value), so such a sheet is refused
    rather than read."""
    found: list[str] = []
    with zipfile.ZipFile(path) as book:
        sheets = _sheets(book)
        if not sheets:
            return found
        previous = b""      # the piece before: where a formula's cell opened, if not in its own
        for chunk in _chunks(book, sheets[0][0]):
            # a cell's formula is an <f> in <sheetData>; what follows it (a list's source
            # in <extLst> as <xm:f>, a sparkline's range) is not a cell
            # (bytes.find first: the regular expressions try every "<" of a piece and
            # cost three times the inflating, where most pieces hold neither)
            at = chunk.find(b"sheetData")
            end = _SHEET_DATA_END.search(chunk, max(at - 64, 0)) if at >= 0 else None
            chunk = chunk[:end.start()] if end else chunk
            maybe = b"<f" in chunk or b":f" in chunk
            for match in _FORMULA.finditer(chunk) if maybe else ():
                cells = (list(_LAST_CELL.finditer(chunk, 0, match.start()))
                         or list(_LAST_CELL.finditer(previous)))
                found.append(cells[-1].group(1).decode("ascii", "replace") if cells else "?")
                if len(found) >= at_most:
                    return found
            if end:
                break
            previous = chunk
    return found


def _open_xlsx(path: Path) -> Source:
    check_xlsx(path)
    formulas = formula_cells(path)
    if formulas:
        cells = "、".join(formulas)
        raise UnreadableFile(
            f"{path}: 工作表含有公式单元格（{cells}…），公式的结果不一定保存在文件中；请复制后“选择性粘贴为"
            f"数值”再导入 / the sheet holds formula cells ({', '.join(formulas)}, …), whose "
            f"results a file need not hold: paste them as values and import again")
    try:
        import fastexcel

        sheet = fastexcel.read_excel(str(path)).load_sheet(0, n_rows=0, dtypes="string")
        header = [clean_header(c.name) for c in sheet.available_columns()]
    except MemoryError:
        raise
    except Exception as exc:  # the reader raises many kinds; all mean "not a readable XLSX"
        raise UnreadableFile(f"{path}: not a readable XLSX workbook ({type(exc).__name__})"
                             ) from None
    return Source(path, "xlsx", header)


def _xlsx_batches(source: Source) -> Iterator[tuple[pl.DataFrame, list[dict]]]:
    import fastexcel

    # An XLSX holds at most 1,048,576 rows; its cells (at most MAX_XLSX_CELLS, checked
    # when it was opened) are read once as text, straight into Arrow (eager: 10 M cells
    # peaked at 0.7 GB instead of 0.9 GB through the lazy sheet)
    frame = pl.from_arrow(fastexcel.read_excel(str(source.path)).load_sheet(
        0, dtypes="string", eager=True))
    frame = frame.rename({c: clean_header(c) for c in frame.columns})
    frame = frame.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))
    for offset in range(0, frame.height, BATCH_ROWS):
        yield frame.slice(offset, BATCH_ROWS), []


def _open_parquet(path: Path) -> Source:
    import pyarrow.parquet as pq

    try:
        header = [clean_header(n) for n in pq.ParquetFile(path).schema_arrow.names]
    except MemoryError:
        raise
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

