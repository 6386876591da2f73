"""Every error the ETL raises carries a code and fields; every code has words in both UI languages
that take only the fields given; the UI decides from codes, never from the English message."""
from __future__ import annotations

import ast
import string
from dataclasses import dataclass
from pathlib import Path

import pytest

from etl.load import load_files
from ui import upload
from ui.i18n import LANGS, TEXT

ROOT = Path(__file__).resolve().parent.parent
ERRORS = {"LoadError": "err.", "VocabError": "vocab.err."}  # the class -> its codes' text keys


@dataclass(frozen=True)
class Site:
    where: str            # file:line
    cls: str
    codes: tuple[str, ...]  # empty: no literal code (`"covered" if known == target else "taken"` gives two)
    passthrough: bool     # re-raises another error's code (`err.code`) with its fields
    fields: frozenset[str]


def _code_arg(call: ast.Call, cls: str) -> ast.expr | None:
    pos = 1 if cls == "LoadError" else 0  # LoadError(message, code, ...), VocabError(code, message, ...)
    if len(call.args) > pos:
        return call.args[pos]
    return next((k.value for k in call.keywords if k.arg == "code"), None)


def sites(folder: Path = ROOT / "etl") -> list[Site]:
    """Every `LoadError(...)` / `VocabError(...)` written in the package, raised or returned."""
    out = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            cls = getattr(node.func, "id", getattr(node.func, "attr", None))
            if cls not in ERRORS:
                continue
            arg = _code_arg(node, cls)
            options = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
            literal = tuple(o.value for o in options if isinstance(o, ast.Constant) and isinstance(o.value, str))
            literal = literal if len(literal) == len(options) else ()
            passthrough = isinstance(arg, ast.Attribute) and arg.attr == "code"
            spread = any(k.arg is None for k in node.keywords)
            fields = frozenset(k.arg for k in node.keywords if k.arg not in (None, "code"))
            out.append(Site(f"{path.relative_to(ROOT)}:{node.lineno}", cls, literal, passthrough and spread, fields))
    return out


def placeholders(text: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_scan_finds_the_errors_it_checks():
    found = sites()
    assert len(found) > 60, len(found)  # the scan reads the real package, not an empty folder
    assert any(s.where.startswith("etl/stage.py") and s.codes == ("columns_not_found",) for s in found)
    assert any(s.cls == "VocabError" and s.codes == ("covered", "taken") for s in found)


def test_every_etl_error_has_a_code():
    missing = [s.where for s in sites() if not s.codes and not s.passthrough]
    assert not missing, f"errors without a code (give each a code and its fields): {missing}"


def test_every_code_has_words_in_both_languages():
    missing = sorted({f"{ERRORS[s.cls]}{code} ({lang}, {s.where})" for s in sites() for code in s.codes
                      for lang in LANGS if ERRORS[s.cls] + code not in TEXT[lang]})
    assert not missing, f"codes without UI words in ui/locales: {missing}"


def test_the_words_take_only_the_fields_each_error_gives():
    wrong = []
    for s in sites():
        for key, lang in ((ERRORS[s.cls] + code, lang) for code in s.codes for lang in LANGS):
            derived = {upload.DERIVED_FIELDS[f] for f in s.fields if f in upload.DERIVED_FIELDS}
            extra = placeholders(TEXT[lang].get(key, "")) - s.fields - derived
            if extra:
                wrong.append(f"{s.where}: {key} ({lang}) uses {sorted(extra)}, the error gives {sorted(s.fields)}")
    assert not wrong, wrong


def test_no_ui_code_decides_by_the_message():
    """`"mapping" in err["error"]`, `"empty" in str(e)`: a changed English line silently changes the UI."""
    found = []
    for path in sorted([*(ROOT / "ui").rglob("*.py"), *(ROOT / "pages").rglob("*.py"), ROOT / "app.py"]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
                right = " ".join(ast.unparse(c) for c in node.comparators)
                if "str(" in right or "'error'" in right or '"error"' in right or "message" in right:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert not found, found


# ---------------------------------------------------------------------------------------------
# Real failures, worded in each language from their code (never the "Not loaded: <English>" frame)

HOLIDAY = "foo;bar;baz\n1;2;3\n4;5;6\n"


def _fail(tmp_path: Path, name: str, data: bytes, **kw) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    result = load_files([path], progress=False, **kw)["files"][0]
    assert result["status"] == "failed", result
    return result


@pytest.mark.parametrize("name, data, code", [
    ("strange.csv", HOLIDAY.encode(), "columns_not_found"),
    ("empty.csv", b"", "empty"),
    ("utm.csv", "Кампания;Визиты\nmsk_search_brand;5\n".encode(), "no_period"),
    ("book.xlsx", b"PK\x03\x04 not a workbook", "bad_workbook"),
])
def test_a_failed_file_is_worded_from_its_code(fresh_db, tmp_path, name, data, code):
    result = _fail(tmp_path, name, data)
    assert result["code"] == code
    for lang in LANGS:
        line = upload.error_line(result, lang)
        # the fields in the reader's words (the entity, field lists), as the mapping step names them
        assert line == TEXT[lang][f"err.{code}"].format(**upload.fields_in_words(result["fields"], lang)), line
        assert name in line and "\n" not in line


def test_a_missing_file_is_worded_from_its_code(fresh_db, tmp_path):
    result = load_files([tmp_path / "gone.csv"], progress=False)["files"][0]
    assert (result["status"], result["code"]) == ("failed", "no_file")
    assert upload.error_line(result, "ru").startswith(f"{tmp_path / 'gone.csv'}: ")
    assert "gone.csv" in upload.error_line(result, "en")


def test_the_mapping_step_is_offered_by_code_not_by_words(fresh_db, tmp_path):
    result = _fail(tmp_path, "strange.csv", HOLIDAY.encode())
    assert upload.needs_mapping(result)
    # the English line may change its words: the code decides
    assert upload.needs_mapping({**result, "error": "strange.csv: columns?"})
    # a failure whose line happens to say "mapping" is not a mapping problem
    other = {"file": "x.csv", "status": "failed", "code": "load_failed",
             "error": "x.csv: could not be loaded (the mapping of memory failed)", "fields": {}}
    assert not upload.needs_mapping(other)
    assert not upload.needs_mapping({**result, "status": "loaded"})


def test_failed_data_checks_read_in_words():
    """«Проверки данных не пройдены (ad_spend_unique_key: 3 rows)» named a check by its file and counted in
    English: each check now reads in words with its rows, and every check under queries/checks has them."""
    from etl.paths import QUERIES_DIR
    from ui.i18n import TEXT
    from ui.upload import error_line

    for path in (QUERIES_DIR / "checks").glob("*.sql"):
        assert all(f"check.{path.stem}" in TEXT[x] for x in TEXT), path.stem
    result = {"code": "build_checks_failed", "error": "data checks failed (...)",
              "fields": {"checks": "ad_spend_unique_key: 3 rows, deals_unique_key: 1200 rows",
                         "failed": {"ad_spend_unique_key": 3, "deals_unique_key": 1200}}}
    ru, en = error_line(result, "ru"), error_line(result, "en")
    assert "ad_spend_unique_key" not in ru + en and "rows)" not in ru
    assert f"{TEXT['ru']['check.ad_spend_unique_key']} (строк: 3)" in ru and "(строк: 1\u00a0200)" in ru, ru
    assert f"{TEXT['en']['check.deals_unique_key']} (rows: 1,200)" in en, en
