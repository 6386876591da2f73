"""Reads a file as it really arrives: encoding, delimiter, report-title lines, header; hands DuckDB UTF-8."""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from etl import limits, wide_plan
from etl.config import entities, header_key
from etl.errors import LoadError

HEAD_BYTES = 256 * 1024
CHUNK = 4 * 1024 * 1024
DELIMITERS = (";", ",", "\t", "|")
TEXT_EXTS = {".csv", ".tsv", ".txt", ""}
CYRILLIC = re.compile(r"[а-яА-ЯёЁ]")


@dataclass
class Layout:
    """What the reader found out about one file; `path` is UTF-8 text DuckDB can read."""
    source: Path
    path: Path
    kind: str                      # 'csv' | 'xlsx' | 'html' | 'parquet'
    encoding: str = "utf-8"
    delimiter: str = ","
    skip: int = 0                  # physical lines before the header
    header: list[str] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)
    locale: str = "en"             # default number convention when a column does not tell
    rows_above: int | None = None  # records above the header (a quoted cell spanning lines is one); None: skip
    header_cells: list[str] = field(default_factory=list)  # the header record's cells as written
    replay: bool = False           # read again from raw/ by a rebuild: it loaded then, so it is read as then
    record_rows: list[int] | None = None  # each record's workbook row when the records are not the sheet's rows
    plan_sheets: list[str] = field(default_factory=list)  # the sheets of a months-as-columns plan read (wide_plan)

    @property
    def cyrillic(self) -> bool:
        return any(CYRILLIC.search(h) for h in self.header)


def detect_encoding(head: bytes) -> str:
    """BOMs first, then strict UTF-8, then charset-normalizer (Russian files: cp1251 as fallback)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le-bom"
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be-bom"
    if len(head) > 3 and head[1:4:2] == b"\x00\x00" and head[0:3:2] != b"\x00\x00":
        return "utf-16-le"  # BOM-less UTF-16LE: every second byte of ASCII text is zero
    # BOM-less UTF-16 whose text starts in Cyrillic ("Дата;" is 14 04 30 04 ... 3b 00): the delimiters'
    # and digits' zero bytes all fall on one side (odd offsets: little-endian), none on the other
    odd, even = head[1::2].count(0), head[0::2].count(0)
    zeros, other = max(odd, even), min(odd, even)
    if zeros > len(head) // 16 and other * 20 < zeros:
        return "utf-16-le" if odd > even else "utf-16-be"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as err:
        if err.start > len(head) - 4:  # the head cut a multi-byte character in half
            return "utf-8"
        # UTF-8 text (Cyrillic and all) up to a few damaged bytes is UTF-8 with a damaged line, which the
        # reader then names; cp1251 bytes almost never form a run of valid UTF-8 letters
        if sum(ch > "\x7f" for ch in head[:err.start].decode("utf-8")) >= 8:
            return "utf-8"
    best = from_bytes(head, cp_isolation=["cp1251", "koi8_r", "cp866", "latin_1", "cp1252"]).best()
    if best is None or (best.encoding in ("latin_1", "cp1252") and re.search(rb"[\xc0-\xff]{3}", head)):
        return "cp1251"  # runs of high bytes in a Russian office file are almost always cp1251
    return best.encoding


def encoding_past_ascii(src: Path) -> str | None:
    """The encoding of a file whose first HEAD_BYTES are ASCII, told by its first non-ASCII bytes (an
    English header and Latin names for the first 256 KB, then «Кампания Москва» in windows-1251); None
    when the whole file is ASCII. One pass at ~1.5 GB/s, for ASCII heads only."""
    with open(src, "rb") as fh:
        fh.seek(HEAD_BYTES)
        while chunk := fh.read(CHUNK):
            if not chunk.isascii():
                fh.seek(fh.tell() - len(chunk) + re.search(rb"[\x80-\xff]", chunk).start())
                sample = fh.read(HEAD_BYTES)
                try:  # its line in UTF-8 is a UTF-8 file (a stray byte further on is that byte's error)
                    sample.split(b"\n", 1)[0].decode("utf-8")
                    return "utf-8"
                except UnicodeDecodeError:
                    return detect_encoding(sample)
    return None


def codec_of(encoding: str) -> str:
    """The Python codec that decodes a detect_encoding() name."""
    return {"utf-16-le-bom": "utf-16", "utf-16-be-bom": "utf-16"}.get(encoding, encoding)


# C0 control characters no text table holds: NUL and the rest but tab, line ends, vertical tab and form
# feed (spreadsheet line breaks), and Ctrl-Z (DOS end of file)
CONTROL = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f]")


def check_text(head: bytes, encoding: str, name: str) -> None:
    """Refuses, in one line, a file that is no text table: its first bytes, decoded as detected, hold NUL
    (decoded text never does: a UTF-16 file decodes without them) or more than a stray control character,
    or its first line holds one. Such a file (an image, a PDF, a zip that is no workbook, random bytes)
    would otherwise be read as a table whose header is its junk, and control bytes reach the terminal."""
    codec = codec_of(encoding)
    text = (head[: len(head) // 2 * 2] if codec.startswith("utf-16") else head).decode(codec, errors="replace")
    controls = CONTROL.findall(text)
    first = text.lstrip("\ufeff\r\n").split("\n", 1)[0]
    if "\x00" in controls or len(controls) > len(text) // 1000 or CONTROL.search(first):
        raise LoadError(f"{name}: not a text table (CSV, TSV) or a workbook (.xlsx): it holds binary data; "
                        f"export the report again as CSV or Excel and load that file; nothing from it was loaded",
                        "not_a_table", file=name)


def transcode(src: Path, encoding: str, dst: Path) -> None:
    """Streams a non-UTF-8 file into UTF-8 in fixed-size chunks (memory stays flat at any size)."""
    codec = codec_of(encoding)
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    read = base = 0   # bytes read so far; where in the file the decoder's input starts (its held bytes first)
    try:
        with open(src, "rb") as fin, open(dst, "w", encoding="utf-8", newline="") as fout:
            while chunk := fin.read(CHUNK):
                base = read - len(decoder.getstate()[0])
                fout.write(decoder.decode(chunk))
                read += len(chunk)
            base = read - len(decoder.getstate()[0])
            fout.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as err:
        if err.reason == "truncated data":   # the last character lost its last byte(s)
            raise LoadError(f"{src.name}: the file ends in the middle of a character, as a download or copy cut "
                            f"short leaves it; get the whole file again and load it; nothing from it was loaded",
                            "cut_mid_character", file=src.name) from None
        byte = base + err.start
        raise LoadError(f"{src.name}: byte {byte} is not valid {encoding}; save the file as UTF-8 "
                        f"or windows-1251 and load it again", "bad_encoding",
                        file=src.name, byte=byte, encoding=encoding) from None


def _records(text: str, delim: str, limit: int = 200) -> list[tuple[int, list[str]]]:
    """(physical line where the record starts, cells) for the first records of a text sample."""
    reader = csv.reader(io.StringIO(text), delimiter=delim, quotechar='"')
    out, start = [], 0
    try:
        for cells in reader:
            out.append((start, cells))
            start = reader.line_num
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out


def _width(cells: list[str]) -> int:
    """Field count ignoring trailing empties (Bitrix ends every line with the delimiter)."""
    n = len(cells)
    while n and not cells[n - 1].strip():
        n -= 1
    return n


def pick_delimiter(text: str) -> str:
    """The delimiter splitting most records into one consistent, wide field count.

    Raw counts (trailing empties included) are what stays constant line to line; amounts such
    as "125 000,50" put commas into ';' files, so width weighs in, not consistency alone.
    """
    best, best_score = ",", -1.0
    for delim in DELIMITERS:
        widths = [len(c) for _, c in _records(text, delim) if len(c) > 1]
        if not widths:
            continue
        mode = max(set(widths), key=widths.count)
        score = widths.count(mode) * mode
        if score > best_score:
            best, best_score = delim, score
    return best


def _synonyms() -> set[str]:
    return {s for ent in entities().values() for syns in ent.fields.values() for s in syns}


def known_names(cells: list[str], known: set[str]) -> int:
    """How many cells of a record are column names of data/columns.toml (or utm_* tags)."""
    names = [header_key(c) for c in cells if c.strip()]
    return sum(n in known or n.startswith("utm") for n in names)


def pick_header(records: list[tuple[int, list[str]]], name: str = "the file") -> int:
    """Index of the header record: most known column names; else the first full-width record."""
    if not records:
        raise LoadError(f"{name}: the file is empty: no header line found", "empty", file=name)
    known = _synonyms()
    widths = [_width(c) for _, c in records]
    mode = max({w for w in widths if w > 0} or {0}, key=widths.count)
    scores = [(known_names(cells, known), -i) for i, (_, cells) in enumerate(records[:40])]
    hits, neg_i = max(scores)
    if hits >= 2 or (hits == 1 and widths[-neg_i] >= mode - 1):
        return -neg_i
    return next(i for i, w in enumerate(widths) if w >= max(mode - 1, 1))


def dedupe(names: list[str]) -> list[str]:
    """Repeated header names (old amoCRM exports repeat 'Товар') get ' (2)', ' (3)' suffixes."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        name = name.replace("\ufeff", "").strip() or "(empty)"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def sniff_text(src: Path, work: Path, binary_check: bool = True, name: str | None = None) -> Layout:
    """Layout of a delimited text file; a UTF-8 copy is made in `work` when the file is not UTF-8.
    `binary_check=False`: the CSV this module wrote from a workbook or an HTML table (already read as one),
    whose `name` the errors give (the user knows the workbook, not the CSV written from it)."""
    name = name or src.name
    with open(src, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head.strip(b"\x00\r\n\t \xef\xbb\xbf\xff\xfe"):
        raise LoadError(f"{name}: the file is empty; export it again with data rows", "empty", file=name)
    encoding = detect_encoding(head)
    if encoding == "utf-8" and len(head) == HEAD_BYTES and head.isascii():
        encoding = encoding_past_ascii(src) or encoding
    if binary_check:
        check_text(head, encoding, src.name)
    path = src
    if encoding not in ("utf-8", "utf-8-sig"):
        path = work / (src.stem + ".utf8.csv")
        transcode(src, encoding, path)
        with open(path, "rb") as fh:  # the head only: the whole copy as one bytes object was the file's size in RSS
            text = fh.read(HEAD_BYTES).decode("utf-8", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore").lstrip("\ufeff")
    if len(head) == HEAD_BYTES:  # drop the last, possibly cut, line of the sample
        text = text[: text.rfind("\n") + 1] or text
    delim = pick_delimiter(text)
    records = _records(text, delim)
    h = pick_header(records, name)
    line, cells = records[h]
    header = dedupe(cells[: max(_width(cells), 1)])
    preamble = [delim.join(c).strip(delim + " ") for _, c in records[:h] if any(x.strip() for x in c)]
    layout = Layout(src, path, "csv", encoding, delim, line, header, preamble, rows_above=h, header_cells=cells)
    layout.locale = "ru" if (encoding == "cp1251" or delim == ";" or layout.cyrillic) else "en"
    return layout


def _cell_text(value) -> str:
    """An xlsx cell as text the SQL normaliser reads: ISO dates, '.' decimals, no float noise."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


# A number cell just below a whole day (time of day 23:59:59.9995 or later): calamine rounds a serial to the
# millisecond, which moves such a time to 00:00 of the next day. Matched on the raw sheet XML (a C-speed scan
# that finds only these cells) so the rest of the workbook is never read twice.
_NEAR_MIDNIGHT = re.compile(rb"<c\b([^>]*)>(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?<v>(\d+\.99999999\d*)</v>")
_CELL_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_MIDNIGHT = dt.time(0, 0)


def _sheet_member(zf: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member of the worksheet named `sheet` (xl/workbook.xml -> its relationship target)."""
    import xml.etree.ElementTree as ET

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        book = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return None
    rid = next((e.get(rel) for e in book.iter(main + "sheet") if e.get("name") == sheet), None)
    target = next((e.get("Target") for e in rels if e.get("Id") == rid), None)
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _keep_day(src: Path, sheet: str, rows: list) -> None:
    """Times a hair before midnight stay on their day: each cell calamine read as 00:00 whose serial is
    just below a whole day becomes that day's last microsecond it holds (23:59:59.999999 stays, as the
    text the loader writes keeps whole seconds: 23:59:59). Only .xlsx keeps its serials as text."""
    if not zipfile.is_zipfile(src):
        return
    with zipfile.ZipFile(src) as zf:
        member = _sheet_member(zf, sheet)
        if member is None or member not in zf.namelist():
            return
        with zf.open(member) as fh:
            for m in _near_midnight(fh):
                _keep_cell_day(m, rows)


def _near_midnight(fh) -> Iterator[re.Match]:
    """_NEAR_MIDNIGHT's matches in a sheet's XML read in chunks (the sheet inflated whole would double
    a large workbook's memory); the cell a chunk cuts is carried into the next."""
    carry = b""
    while chunk := fh.read(CHUNK):
        data = carry + chunk
        cut = data.rfind(b"<c")                 # the last cell's start: it may go on in the next chunk
        if cut < 0:
            cut = max(len(data) - 1, 0)         # a last '<' may start one
        yield from _NEAR_MIDNIGHT.finditer(data, 0, cut)
        carry = data[cut:]
    yield from _NEAR_MIDNIGHT.finditer(carry)


def _keep_cell_day(m: re.Match, rows: list) -> None:
    """The cell of one match back on its day, where calamine read it as the next day's 00:00."""
    ref = _CELL_REF.search(m.group(1))
    if ref is None:
        return
    r, c = int(ref.group(2)) - 1, _col_index(ref.group(1))
    if r >= len(rows) or c >= len(rows[r]):
        return
    value, serial = rows[r][c], float(m.group(2))
    # calamine's value is the whole day after; the true one is (1 - fraction) of a day before it,
    # cut (not rounded) to the microsecond
    before = dt.timedelta(microseconds=max(1, math.ceil((1 - serial % 1) * 86_400_000_000)))
    if isinstance(value, dt.datetime) and value.time() == _MIDNIGHT:
        rows[r][c] = value - before
    elif isinstance(value, dt.time) and value == _MIDNIGHT and serial < 1:
        rows[r][c] = (dt.datetime(2000, 1, 2) - before).time()


def sniff_xlsx(src: Path, work: Path) -> Layout:
    """The data sheet of an .xlsx/.xls/.ods workbook, written out as UTF-8 CSV: the first sheet whose
    first 40 rows hold a header of two known column names (a workbook may open with a sheet of report
    parameters or instructions), else the first non-empty sheet."""
    from python_calamine import CalamineError, CalamineWorkbook

    if zipfile.is_zipfile(src):  # .xlsx and .ods are zips: sized from the central directory before inflating
        limits.check_zip(src, src.name)
    known = _synonyms()
    record_rows: list[int] | None = None
    plan_sheets: list[str] = []
    try:
        book = CalamineWorkbook.from_path(str(src))
        rows: list = []
        chosen = None
        sheets: list[tuple[str, list]] = []
        first_wide = False
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            if not any(any(c not in (None, "") for c in r) for r in sheet):
                continue
            sheets.append((name, sheet))
            if len(sheets) == 1:
                first_wide = wide_plan.is_plan(name, sheet, src.name)
            if first_wide:
                continue   # a plan with months as columns: every such sheet is read, below
            if not rows:
                rows, chosen = sheet, name
            if any(known_names([_cell_text(c) for c in r], known) >= 2 for r in sheet[:40]):
                rows, chosen = sheet, name
                break
        wide = wide_plan.read(sheets, src.name) if first_wide else None
        if wide:   # the first sheet is a regions x months plan: its and the other such sheets' cells as plan lines
            rows, record_rows, chosen, plan_sheets = wide[0], wide[1], None, wide[2]
        if chosen is not None:
            _keep_day(src, chosen, rows)
    except (CalamineError, OSError) as err:  # each format's errors derive from CalamineError; OSError: unreadable
        raise LoadError(f"{src.name}: cannot read the workbook ({err}); save it as .xlsx or CSV", "bad_workbook",
                        file=src.name) from None
    path = work / (src.stem + ".xlsx.csv")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([[_cell_text(c) for c in r] for r in rows])
    layout = sniff_text(path, work, binary_check=False, name=src.name)
    layout.source, layout.kind, layout.encoding = src, "xlsx", "xlsx"
    if record_rows is not None:
        layout.record_rows, layout.plan_sheets = record_rows, plan_sheets
    return layout


def sniff_html(src: Path, work: Path) -> Layout:
    """An HTML table saved as .xls (Bitrix24's "Excel" export): the largest table, as UTF-8 CSV."""
    import lxml.html

    raw = src.read_bytes()
    declared = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", raw[:4096])
    encoding = declared.group(1).decode("ascii") if declared else detect_encoding(raw[:HEAD_BYTES])
    try:
        text = raw.decode(encoding.replace("-bom", "").replace("-sig", ""), errors="replace")
        doc = lxml.html.document_fromstring(text)
    except (LookupError, ValueError) as err:
        raise LoadError(f"{src.name}: cannot read this HTML table ({err}); export it as CSV instead", "bad_html",
                        file=src.name) from None
    tables = doc.xpath("//table")
    if not tables:
        raise LoadError(f"{src.name}: an HTML page with no table; export it as CSV instead", "bad_html",
                        file=src.name)
    table = max(tables, key=lambda t: len(t.xpath(".//tr")))
    rows = [[" ".join(cell.text_content().split()) for cell in tr.xpath("./th|./td")] for tr in table.xpath(".//tr")]
    path = work / (src.stem + ".html.csv")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    layout = sniff_text(path, work, binary_check=False, name=src.name)
    layout.source, layout.kind, layout.encoding = src, "html", encoding.lower()
    return layout


def sniff(src: Path, work: Path) -> Layout:
    """Dispatches on the file's content and extension."""
    if not src.exists():
        raise LoadError(f"{src}: no such file; check the path", "no_file", file=str(src))
    with open(src, "rb") as fh:
        magic = fh.read(8)
    ext = src.suffix.lower()
    if magic.startswith(b"PAR1"):
        return Layout(src, src, "parquet")
    if ext in (".xlsx", ".xls", ".ods") and magic.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return sniff_html(src, work)
    # a workbook by its bytes (a zip, an OLE file); a CSV saved under a workbook's name is read as the text it is,
    # as a CSV named .parquet is
    if magic.startswith(b"PK\x03\x04") or magic.startswith(b"\xd0\xcf\x11\xe0"):
        return sniff_xlsx(src, work)
    return sniff_text(src, work)
