"""Imports in bounded memory, with a clear error: an XLSX whose sheet declares or holds
more cells than are read, a zip bomb and a zip that is no workbook are refused before the
reader sees them; the import's process runs under a memory and a time limit, and one that
runs out of either is reported in words. Every failure is in the audit trail and leaves
the served database as it was."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest

from supervision.data import filereader, import_process
from supervision.data.importer import UnreadableFile, import_files
from supervision.security import audit
from supervision.store import engine
from tests.conftest import make_db
from tests.test_importer import GOOD_EN, HEADER_EN, _many_cases, table

ROOT = Path(__file__).resolve().parent.parent
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/></Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://'
    'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
    '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {NS} xmlns:r="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="案件" '
    'sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://'
    'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
    '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>')


def _cell(ref: str | None, text: str) -> str:
    r = f' r="{ref}"' if ref else ""
    return f'<c{r} t="inlineStr"><is><t>{text}</t></is></c>'


def _column(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def xlsx_bytes(rows: str, dimension: str | None = None, *, sheet: str | None = None) -> bytes:
    """A minimal workbook written by hand (no spreadsheet library): one sheet of `rows`."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = sheet or (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                      f'<worksheet {NS}>{dim}<sheetData>{rows}</sheetData></worksheet>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def cases_rows(lines: list[str], *, refs: bool = True) -> str:
    """The header and `lines` (CSV rows of GOOD_EN's kind) as sheet rows of inline text."""
    out = []
    for i, line in enumerate([HEADER_EN, *lines], start=1):
        # without references an empty cell is still written: it holds its column's place
        cells = "".join(_cell(f"{_column(j)}{i}" if refs else None, v) if v
                        else ("" if refs else "<c/>")
                        for j, v in enumerate(next(csv.reader([line])), start=1))
        out.append(f'<row r="{i}">{cells}</row>' if refs else f"<row>{cells}</row>")
    return "".join(out)


def whole_sheet_xlsx(declared: str | None = "A1:XFD1048576") -> bytes:
    """The file of the review: a header, and one cell at XFD1048576."""
    return xlsx_bytes(cases_rows([]) + f'<row r="1048576">{_cell("XFD1048576", "x")}</row>',
                      declared)


@pytest.fixture
def db_path(tmp_path):
    make_db(tmp_path / "import.duckdb").close()
    return tmp_path / "import.duckdb"


@pytest.fixture
def no_reading(monkeypatch):
    """The workbook reader may not be called: a refusal comes before it."""
    import fastexcel

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was read")

    monkeypatch.setattr(fastexcel, "read_excel", refuse)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: int = 300
            ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "supervision", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def failures(target: Path) -> list[dict]:
    """The import_failed entries of the audit trail for the database `target`."""
    trail = audit.entries(engine(), limit=1000, event="import_failed")
    return [r for r in trail.iter_rows(named=True) if r["target"] == str(target)]


def assert_said_in_one_line(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith("error: ") and len(proc.stderr.strip().splitlines()) == 1, \
        proc.stderr
    for text in ("Traceback", "panicked", "memory allocation of", "stack backtrace", "RUST"):
        assert text not in proc.stderr, proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr


# ---------------------------------------------------------------- XLSX refused before reading


def test_an_xlsx_declaring_every_cell_of_a_sheet_is_refused_unread(tmp_path, db_path,
                                                                   no_reading):
    path = tmp_path / "cases.xlsx"
    path.write_bytes(whole_sheet_xlsx())
    assert path.stat().st_size < 2_000           # 1.7 KB that asked for 550 GB
    before = digest(db_path)
    with pytest.raises(UnreadableFile) as refused:
        import_files(db_path, {"cases": path})
    message = str(refused.value)
    assert "the file declares 1,048,576 rows × 16,384 columns (sheet 案件)" in message
    assert "at most 100 columns and 10,000,000 cells" in message
    assert "save it as CSV or split it" in message and "请另存为 CSV 或拆分文件" in message
    assert digest(db_path) == before and not list(tmp_path.glob("*.next"))


def test_the_command_refuses_it_in_words_records_it_and_keeps_the_data(tmp_path, db_path):
    """As the admin page runs it: one line of words (it was a Rust panic and a crash), an
    import_failed entry, the served file byte for byte."""
    good = tmp_path / "good.csv"
    good.write_text("\n".join([HEADER_EN, *GOOD_EN]) + "\n", encoding="utf-8")
    assert run_cli("import", "--db", str(db_path), "--cases", str(good)).returncode == 0
    before = digest(db_path)
    path = tmp_path / "cases.xlsx"
    path.write_bytes(whole_sheet_xlsx())
    proc = run_cli("import", "--db", str(db_path), "--cases", str(path), "--json")
    assert_said_in_one_line(proc, "1,048,576 rows × 16,384 columns", "save it as CSV")
    assert proc.stdout == ""
    assert digest(db_path) == before and table(db_path, "cases").height == 3
    [entry] = failures(db_path)
    assert "1,048,576 rows × 16,384 columns" in entry["detail"]


@pytest.mark.parametrize("declared", [None, "A1:B2"], ids=["no dimension", "false dimension"])
def test_the_cells_a_sheet_holds_count_whatever_it_declares(tmp_path, db_path, no_reading,
                                                            declared):
    """The reader allocates by the cells it finds: a missing or false dimension changes
    nothing."""
    path = tmp_path / "cases.xlsx"
    path.write_bytes(whole_sheet_xlsx(declared))
    with pytest.raises(UnreadableFile, match=r"the file holds cells up to XFD1048576 "
                                             r"\(sheet 案件\): 1,048,576 rows × 16,384 columns"):
        import_files(db_path, {"cases": path})


def test_a_cell_placed_far_below_its_row_counts_where_it_is_placed(tmp_path, db_path,
                                                                   no_reading):
    """A cell's own reference places it (row 1 holding a cell of row 900,000): 900,000
    rows × the header's 22 columns is past the cells read."""
    rows = cases_rows([])[:-len("</row>")] + _cell("P900000", "x") + "</row>"
    path = tmp_path / "cases.xlsx"
    path.write_bytes(xlsx_bytes(rows, "A1:V1"))
    with pytest.raises(UnreadableFile, match=r"cells up to V900000 \(sheet 案件\): 900,000 "
                                             r"rows × 22 columns"):
        import_files(db_path, {"cases": path})


def test_cells_without_references_are_counted_one_after_another(tmp_path, db_path,
                                                                no_reading):
    """A sheet may leave out each cell's reference (each follows the one before): 101
    cells in a row are 101 columns."""
    wide = "<row>" + "".join(_cell(None, f"h{i}") for i in range(101)) + "</row>"
    path = tmp_path / "cases.xlsx"
    path.write_bytes(xlsx_bytes(wide))
    with pytest.raises(UnreadableFile, match="cells up to CW1 .*1 rows × 101 columns"):
        import_files(db_path, {"cases": path})


def test_a_sheet_without_references_within_the_limits_imports(tmp_path, db_path):
    path = tmp_path / "cases.xlsx"
    path.write_bytes(xlsx_bytes(cases_rows(GOOD_EN, refs=False)))
    [report] = import_files(db_path, {"cases": path})
    assert (report.rows, report.stored, report.rejected_rows) == (3, 3, 0)


def test_a_zip_bomb_is_refused_unread(tmp_path, db_path, no_reading):
    sheet = (f'<?xml version="1.0"?><worksheet {NS}><sheetData>'
             + " " * (64 * 1024 * 1024) + "</sheetData></worksheet>")
    path = tmp_path / "cases.xlsx"
    path.write_bytes(xlsx_bytes("", sheet=sheet))
    assert path.stat().st_size < 200_000         # 64 MB of XML in a few dozen KB
    before = digest(db_path)
    with pytest.raises(UnreadableFile, match=r"xl/worksheets/sheet1.xml expands [\d,]+ times "
                                             r"\(at most 100 is accepted\): a zip bomb"):
        import_files(db_path, {"cases": path})
    assert digest(db_path) == before


def test_a_workbook_expanding_past_the_cap_is_refused(tmp_path, db_path, no_reading,
                                                      monkeypatch):
    monkeypatch.setattr(filereader, "MAX_XLSX_UNCOMPRESSED", 4096)
    path = tmp_path / "cases.xlsx"
    path.write_bytes(xlsx_bytes(cases_rows(GOOD_EN * 10)))
    with pytest.raises(UnreadableFile, match="the workbook expands to 0 MB; at most 0 MB are "
                                             "read — save it as CSV or split it"):
        import_files(db_path, {"cases": path})


@pytest.mark.parametrize("content,words", [
    (b"PK\x03\x04" + bytes(range(256)) * 8, "not a readable XLSX workbook (not a zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "an Excel 97-2003 (.xls) or encrypted"),
    ("zip without a workbook", "a zip archive but not an XLSX workbook"),
    ("damaged sheet", "not a readable XLSX workbook (damaged"),
], ids=["zip header, no zip", "xls", "other zip", "damaged"])
def test_an_xlsx_that_is_no_workbook_is_named_so(tmp_path, db_path, no_reading, content,
                                                 words):
    path = tmp_path / "cases.xlsx"
    if content == "zip without a workbook":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr("word/document.xml", "<w:document/>")
        content = buffer.getvalue()
    elif content == "damaged sheet":
        content = bytearray(xlsx_bytes(cases_rows(GOOD_EN)))
        at = content.find(b"xl/worksheets/sheet1.xml") + 60   # inside its compressed data
        content[at:at + 8] = b"\x00" * 8
        content = bytes(content)
    path.write_bytes(content)
    before = digest(db_path)
    with pytest.raises(UnreadableFile) as refused:
        import_files(db_path, {"cases": path})
    assert words in str(refused.value)
    assert digest(db_path) == before


def test_a_dense_legal_workbook_still_imports(tmp_path, db_path):
    """Every cell filled, 20,000 rows × 11 columns written by xlsxwriter: read whole."""
    frame = _many_cases(20_000, "王法官")
    frame.write_excel(tmp_path / "dense.xlsx")
    filereader.check_xlsx(tmp_path / "dense.xlsx")
    [report] = import_files(db_path, {"cases": tmp_path / "dense.xlsx"})
    assert (report.rows, report.stored, report.rejected_rows) == (20_000, 20_000, 0)
    assert table(db_path, "cases").height == 20_000


def test_the_extent_scan_agrees_with_the_reader(tmp_path):
    """The fast scan and the tag-by-tag reading give the extent the reader gives."""
    import fastexcel

    frame = pl.DataFrame({f"c{i}": [f"v{i}-{r}" for r in range(300)] for i in range(30)})
    frame.write_excel(tmp_path / "w.xlsx", position="C5")
    with zipfile.ZipFile(tmp_path / "w.xlsx") as book:
        fast = filereader._held_extent(book, "xl/worksheets/sheet1.xml")
        exact = filereader._held_extent_by_tags(book, "xl/worksheets/sheet1.xml")
    assert fast == exact
    assert (fast.rows, fast.columns, fast.last_cell) == (301, 30, "AF305")
    sheet = fastexcel.read_excel(str(tmp_path / "w.xlsx")).load_sheet(0, header_row=None)
    assert (sheet.height, sheet.width) == (fast.rows, fast.columns)


# ---------------------------------------------------------------- the import's process


def test_an_import_out_of_memory_is_said_in_words(tmp_path, db_path):
    """Under a small limit the import cannot finish: the words, no panic text or
    traceback, an import_failed entry, the served file as it was."""
    good = tmp_path / "good.csv"
    good.write_text("\n".join([HEADER_EN, *GOOD_EN]) + "\n", encoding="utf-8")
    assert run_cli("import", "--db", str(db_path), "--cases", str(good)).returncode == 0
    before = digest(db_path)
    big = tmp_path / "dense.xlsx"
    _many_cases(40_000, "王法官").write_excel(big)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    proc = run_cli("import", "--db", str(db_path), "--cases", str(big),
                   env={"SUPERVISION_IMPORT_MEMORY_MB": "300", "TMPDIR": str(scratch)})
    assert "needs more memory" in proc.stderr, [f["detail"] for f in failures(db_path)]
    assert list(scratch.iterdir()) == []   # the killed worker's copies went with it
    assert_said_in_one_line(proc, "the file needs more memory than 300 MB allows; split it "
                                   "or save it as CSV", "超过 300 MB 上限")
    assert digest(db_path) == before
    [entry] = failures(db_path)
    assert "needs more memory than 300 MB" in entry["detail"]
    # the next import, with the default limit, succeeds and removes the stale work file
    again = run_cli("import", "--db", str(db_path), "--cases", str(big))
    assert again.returncode == 0, again.stderr
    assert table(db_path, "cases").height == 40_003
    assert not db_path.with_name(db_path.name + ".next").exists()


def test_an_import_past_its_time_is_stopped_in_words(tmp_path, db_path):
    before = digest(db_path)
    big = tmp_path / "big.csv"
    _many_cases(400_000, "赵法官").write_csv(big)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    proc = run_cli("import", "--db", str(db_path), "--cases", str(big),
                   env={"SUPERVISION_IMPORT_TIMEOUT_MINUTES": "0.02", "TMPDIR": str(scratch)})
    assert_said_in_one_line(proc, "the import took longer than 0.02 minutes and was stopped")
    assert list(scratch.iterdir()) == []
    assert digest(db_path) == before
    [entry] = failures(db_path)
    assert "took longer than 0.02 minutes" in entry["detail"]


def test_a_bad_limit_setting_is_named(tmp_path, db_path):
    good = tmp_path / "good.csv"
    good.write_text("\n".join([HEADER_EN, *GOOD_EN]) + "\n", encoding="utf-8")
    proc = run_cli("import", "--db", str(db_path), "--cases", str(good),
                   env={"SUPERVISION_IMPORT_MEMORY_MB": "lots"})
    assert proc.returncode == 2
    assert "SUPERVISION_IMPORT_MEMORY_MB must be a whole number" in proc.stderr


@pytest.mark.parametrize("text, memory", [
    ("memory allocation of 550024249344 bytes failed", True),
    ("The global thread pool has not been initialized.: ThreadPoolBuildError { kind: "
     "IOError(Os { code: 11, kind: WouldBlock, message: \"Resource temporarily unavailable\" "
     "}) }", True),          # seen under a 300 MB limit: polars could not start its threads
    ("could not convert string to float: 'abc'", False),
])
def test_what_counts_as_running_out_of_memory(text, memory):
    assert import_process.is_memory_failure(text) is memory


def test_the_import_command_starts_its_worker_without_the_importers_libraries():
    """The import's command only starts its worker (which loads the importer): what it
    loads first, the CLI and the limits, needs none of the heavy libraries (0.39 s of a
    command's start when it did)."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, supervision.cli, supervision.data.import_process; "
         "print(sorted(m for m in ('duckdb', 'polars', 'sqlalchemy', 'pyarrow', 'bcrypt') "
         "if m in sys.modules))"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "[]"


# ---------------------------------------------------------------- damaged CSV text


def _many_lines(n: int) -> list[str]:
    """n valid case rows (distinct case numbers), past the head the binary check reads."""
    return [GOOD_EN[0].replace("琼1执1号", f"琼1执{1000 + i}号") for i in range(n)]


@pytest.mark.parametrize("quoted", [False, True])
def test_a_nul_byte_far_into_a_csv_is_named_with_its_line(tmp_path, db_path, quoted):
    """A NUL past the first 8 KB (which the binary check reads) split the plain reader's
    lines and stopped the import with a generic error: now the file is refused, its line
    named, nothing stored (in a file with quoted fields too)."""
    lines = _many_lines(200)
    lines[149] = lines[149].replace("张三", "张\0三")          # line 151 of the file
    if quoted:
        lines[0] = lines[0].replace("王法官", '"王,法官"')
    path = tmp_path / "nul.csv"
    path.write_bytes(("\n".join([HEADER_EN, *lines]) + "\n").encode("utf-8"))
    before = digest(db_path)
    with pytest.raises(UnreadableFile, match=r"line 151 holds a NUL character"):
        import_files(db_path, {"cases": path})
    assert digest(db_path) == before


@pytest.mark.parametrize("line_end, inside", [("\r", None), ("\r", "\n"), ("\r\n", "\r"),
                                              ("\r", "\r\n")])
def test_a_csv_whose_lines_end_in_cr_alone_is_read_line_by_line(tmp_path, db_path, line_end,
                                                                inside):
    """Old Mac files end lines in CR alone, and a quoted cell may still hold a line break
    of another kind (`inside`, in the second row's respondent name)."""
    lines = list(GOOD_EN)
    if inside:
        lines[1] = lines[1].replace("某公司", f'"某{inside}公司"')
    path = tmp_path / "mac.csv"
    path.write_bytes((line_end.join([HEADER_EN, *lines]) + line_end).encode("utf-8"))
    [report] = import_files(db_path, {"cases": path})
    assert (report.rows, report.stored, report.rejected_rows) == (3, 3, 0)
    stored = table(db_path, "cases")
    assert sorted(stored["judge"].drop_nulls()) == ["李法官", "王法官"]
    assert len(stored.filter(pl.col("respondent_name").str.starts_with("某")
                             & pl.col("respondent_name").str.ends_with("公司"))) == 1


def test_a_field_longer_than_any_text_is_rejected_row_by_row(tmp_path, db_path):
    """A quoted field of 200,000 characters (past the csv module's default limit, which
    stopped the import without a line number): its row is rejected with the reason, the
    others stored."""
    lines = list(GOOD_EN)
    lines[1] = lines[1].replace("某公司", '"' + "某" * 200_000 + '"')
    path = tmp_path / "long.csv"
    path.write_bytes(("\n".join([HEADER_EN, *lines]) + "\n").encode("utf-8"))
    [report] = import_files(db_path, {"cases": path})
    assert (report.rows, report.stored, report.rejected_rows) == (3, 2, 1)
    [reject] = report.rejects.iter_rows(named=True)
    assert (reject["row"], reject["column"], reject["reason"]) == (
        3, "respondent_name", "longer than 300 characters")


def _workbook(path: Path, rows: list[list], second: list[list] | None = None) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    for sheet_rows in [rows, *([second] if second else [])]:
        sheet = book.add_worksheet()
        for r, row in enumerate(sheet_rows):
            for c, value in enumerate(row):
                if isinstance(value, str) and value.startswith("="):
                    sheet.write_formula(r, c, value)   # no stored result, as scripts write
                else:
                    sheet.write(r, c, value)
    book.close()
    return path


def test_a_sheet_with_formula_cells_is_refused_naming_them(tmp_path, db_path):
    """A formula's stored result is what its writer left: xlsxwriter leaves 0, so
    `=1000*2` imported as an amount of 0.00 and a name formula as "0". The sheet read is
    refused, its formula cells named; formulas on another sheet do not matter."""
    header = next(csv.reader([HEADER_EN]))
    good = [next(csv.reader([line])) for line in GOOD_EN]
    with_formulas = [header, good[0], good[1], good[2]]
    with_formulas[1] = [*good[0][:7], "=1000*2", *good[0][8:]]               # H2
    with_formulas[3] = [*good[2][:13], '=A1&"x"', *good[2][14:]]            # N4
    before = digest(db_path)
    path = _workbook(tmp_path / "formulas.xlsx", with_formulas)
    with pytest.raises(UnreadableFile, match=r"formula cells \(H2, N4, …\)"):
        import_files(db_path, {"cases": path})
    assert digest(db_path) == before
    plain = _workbook(tmp_path / "plain.xlsx", [header, *good], second=[["=1+1"]])
    [report] = import_files(db_path, {"cases": plain})
    assert (report.rows, report.stored, report.rejected_rows) == (3, 3, 0)


def test_formulas_outside_the_cells_do_not_refuse_a_sheet(tmp_path, db_path):
    """A sparkline's range and a drop-down list taken from another sheet, as Excel writes
    them (<xm:f> in the sheet's <extLst>, after <sheetData>), are not cells: the sheet
    imports. (They refused it, naming the last cell read.)"""
    import xlsxwriter

    header = next(csv.reader([HEADER_EN]))
    good = [next(csv.reader([line])) for line in GOOD_EN]
    path = tmp_path / "template.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("案件")
    for r, row in enumerate([header, *good]):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    sheet.add_sparkline("X2", {"range": "案件!H2:I2"})                      # <xm:f>
    lists = book.add_worksheet("字典")
    lists.write_column(0, 0, ["fully_performed", "terminated_current"])
    sheet.data_validation("G2:G100", {"validate": "list", "source": "=字典!$A$1:$A$2"})
    book.close()
    # Excel's own form of a list from another sheet, in the sheet's extLst
    excel_list = (b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14="'
                  b'http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:'
                  b'dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/'
                  b'excel/2006/main"><x14:dataValidation type="list"><x14:formula1><xm:f>'
                  b'&#23383;&#20856;!$A$1:$A$2</xm:f></x14:formula1><xm:sqref>G2:G100</xm:sqref>'
                  b'</x14:dataValidation></x14:dataValidations></ext></extLst>')
    with_list = tmp_path / "excel.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(with_list, "w",
                                                          zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", excel_list + b"</worksheet>")
            target.writestr(item, data)
    for workbook in (path, with_list):
        assert filereader.formula_cells(workbook) == []
        [report] = import_files(db_path, {"cases": workbook})
        assert (report.rows, report.rejected_rows) == (3, 0), workbook
