"""English is served through Django's translation machinery; Vietnamese stays the default."""

from __future__ import annotations

import ast
import gettext
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from tests.conftest import require_service

PO_PATH = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

CATALOGUE = "/"
PROCEDURE = "/thu-tuc/1.004222/"
LOGIN = "/tai-khoan/dang-nhap/"
ESTIMATE_UNKNOWN = "/api/v1/procedures/0.000000/estimate/"
PROCEDURE_NAME_EN = "Permanent residence registration"

# Pages are English only when the person chose English (the switcher's cookie); the API also
# follows Accept-Language (an API client has no switcher).
EN_HEADER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}

# msgids that are deliberately left untranslated (empty msgstr). Keep this short and say why.
UNTRANSLATED_ALLOWED: set[str] = set()


def page(client, url, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.fixture
def english(client):
    """A client of a person who chose English with the language switcher."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield client
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _vietnamese_after(request):
    yield
    translation.activate(settings.LANGUAGE_CODE)


# --- pages -----------------------------------------------------------------------------------


def test_catalogue_page_in_english_when_chosen(english, catalogue):
    html = page(english, CATALOGUE)
    assert '<html lang="en">' in html
    for english in (
        "Administrative procedures",
        "Find a procedure",
        "All fields",
        "Fully online public service",
        "procedures found",
        "Look up a dossier",
    ):
        assert english in html, english
    for vietnamese in ("Thủ tục hành chính", "Tìm thủ tục", "Tất cả lĩnh vực", "Tra cứu hồ sơ"):
        assert vietnamese not in html, vietnamese
    # English throughout: the procedures by their English names
    assert "Temporary residence registration" in html
    assert "Đăng ký tạm trú" not in html


def test_catalogue_page_stays_vietnamese_by_default(client, catalogue):
    html = page(client, CATALOGUE)
    assert '<html lang="vi">' in html
    assert "Thủ tục hành chính" in html and "Tìm thủ tục" in html
    assert "Find a procedure" not in html and "Administrative procedures" not in html


def test_unsupported_language_falls_back_to_vietnamese(client, catalogue):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = page(client, CATALOGUE)
    assert "Tìm thủ tục" in html and "Find a procedure" not in html


def test_a_browser_asking_for_english_still_gets_vietnamese_pages(client, catalogue):
    # The person did not choose English: no English chrome around Vietnamese data.
    html = page(client, CATALOGUE, **EN_HEADER)
    assert '<html lang="vi">' in html and "Tìm thủ tục" in html
    assert "Find a procedure" not in html and "Temporary residence registration" not in html
    html = page(client, PROCEDURE, **EN_HEADER)
    assert "<dt>Mã thủ tục</dt>" in html and "Procedure code" not in html


def test_procedure_page_in_english(english, catalogue):
    html = page(english, PROCEDURE)
    for english in (
        "<dt>Procedure code</dt>",
        "<dt>Processing time</dt>",
        "Submit a dossier online",
        "<h2>Dossier components</h2>",
        "<h2>Legal basis</h2>",
        "working day(s)",
    ):
        assert english in html, english
    for vietnamese in (
        "<dt>Mã thủ tục</dt>",
        "<dt>Thời hạn giải quyết</dt>",
        "Nộp hồ sơ trực tuyến",
        "<h2>Thành phần hồ sơ</h2>",
        "<h2>Căn cứ pháp lý</h2>",
    ):
        assert vietnamese not in html, vietnamese
    # Codes are data; the procedure is named in English (its name_en), its official Vietnamese
    # name beside it.
    assert "1.004222" in html
    assert f"<h1>{PROCEDURE_NAME_EN}</h1>" in html


def test_procedure_page_in_vietnamese_by_default(client, catalogue):
    html = page(client, PROCEDURE)
    assert "<dt>Mã thủ tục</dt>" in html and "Nộp hồ sơ trực tuyến" in html
    assert "Procedure code" not in html
    assert PROCEDURE_NAME_EN not in html  # no English subtitle on a Vietnamese page


@pytest.mark.django_db
def test_login_page_in_english(english):
    html = page(english, LOGIN)
    for english in (
        "<h1>Log in</h1>",
        "Personal identification number or username",
        "Password",
        "Register",
    ):
        assert english in html, english
    for vietnamese in ("Đăng nhập", "Mật khẩu", "Số định danh cá nhân hoặc tên đăng nhập"):
        assert vietnamese not in html, vietnamese


@pytest.mark.django_db
def test_login_error_in_english(english):
    response = english.post(LOGIN, {"username": "000000000000", "password": "wrong-pass-1"})
    html = response.content.decode()
    assert "Incorrect identification number / username or password" in html
    assert "không đúng" not in html


@pytest.mark.django_db
def test_language_switcher_sets_english_for_the_session(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": LOGIN})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = page(client, LOGIN)  # the cookie decides
    assert "<h1>Log in</h1>" in html and "Đăng nhập" not in html
    client.post("/i18n/setlang/", {"language": "vi", "next": LOGIN})
    html = page(client, LOGIN)
    assert "<h1>Đăng nhập</h1>" in html and "Log in" not in html


# --- API -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_error_message_in_english(client):
    response = client.get(ESTIMATE_UNKNOWN, **EN_HEADER)  # the API follows Accept-Language
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "procedure_not_found"
    assert body["message"] == "No procedure with code “0.000000” was found."


@pytest.mark.django_db
def test_catalogue_api_not_found_in_english(client):
    response = client.get("/api/v1/procedures/0.000000/", **EN_HEADER)
    assert response.status_code == 404
    assert response.json()["message"] == "No procedure with code 0.000000 was found."
    vietnamese = client.get("/api/v1/procedures/0.000000/").json()["message"]
    assert vietnamese == "Không tìm thấy thủ tục có mã 0.000000."


@pytest.mark.django_db
def test_api_error_message_in_vietnamese_by_default(client):
    body = client.get(ESTIMATE_UNKNOWN).json()
    assert body["message"] == "Không tìm thấy thủ tục có mã “0.000000”."


# --- the catalogue itself --------------------------------------------------------------------


def test_gettext_uses_the_compiled_catalogue():
    assert MO_PATH.exists(), "compile with: manage.py compilemessages --ignore=.venv"
    with translation.override("en"):
        assert translation.gettext("Hồ sơ của tôi") == "My dossiers"
        assert translation.gettext("Công an cấp xã") == "Commune Police"
        assert (
            translation.ngettext("Tìm thấy %(counter)s thủ tục", "Tìm thấy %(counter)s thủ tục", 1)
            % {"counter": 1}
            == "1 procedure found"
        )
        assert (
            translation.ngettext("Tìm thấy %(counter)s thủ tục", "Tìm thấy %(counter)s thủ tục", 14)
            % {"counter": 14}
            == "14 procedures found"
        )
    with translation.override("vi"):
        assert translation.gettext("Hồ sơ của tôi") == "Hồ sơ của tôi"


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str = ""
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader (the project does not depend on polib). Skips the header and obsolete
    (#~) entries."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int | None] | None = None

    def finish():
        nonlocal current, target
        if current.msgid or current.msgid_plural:
            entries.append(current)
        current, target = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#,"):
            if target is not None and target[0] == "msgstr":
                finish()
            current.flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            if keyword == "msgid" and target is not None and target[0] == "msgstr":
                finish()
            if keyword.startswith("msgstr["):
                target = ("msgstr_plural", int(keyword[7:-1]))
                current.msgstr_plural[target[1]] = ""
            else:
                target = (keyword, None)
        name, index = target
        if name == "msgstr_plural":
            current.msgstr_plural[index] += value
        else:
            setattr(current, name, getattr(current, name) + value)
    finish()
    return entries


def _entries() -> list[Entry]:
    return parse_po(PO_PATH)


def test_po_reader_reads_plurals_flags_and_continuations(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid "Hồ sơ "\n"%(code)s"\nmsgstr "Dossier %(code)s"\n\n'
        'msgid "%(n)s tệp"\nmsgid_plural "%(n)s tệp"\nmsgstr[0] "%(n)s file"\n'
        'msgstr[1] ""\n"%(n)s files"\n\n#~ msgid "cũ"\n#~ msgstr "old"\n',
        encoding="utf-8",
    )
    first, second = parse_po(po)
    assert (first.msgid, first.msgstr) == ("Hồ sơ %(code)s", "Dossier %(code)s")
    assert first.flags == {"fuzzy", "python-format"}
    assert second.msgid_plural == "%(n)s tệp"
    assert second.msgstr_plural == {0: "%(n)s file", 1: "%(n)s files"}


def test_every_entry_is_translated_and_not_fuzzy():
    missing = []
    for e in _entries():
        if e.msgid in UNTRANSLATED_ALLOWED:
            continue
        strings = list(e.msgstr_plural.values()) if e.msgid_plural else [e.msgstr]
        if "fuzzy" in e.flags or not all(s.strip() for s in strings):
            missing.append(e.msgid)
    assert not missing, (
        f"{len(missing)} untranslated or fuzzy entries in {PO_PATH.name}; run makemessages, "
        f"translate, then compilemessages. First ones: {missing[:10]}"
    )


def test_mo_is_not_older_than_po():
    """The production image has no gettext: the compiled .mo in the repository must be current."""
    with MO_PATH.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    stale = []
    for e in _entries():
        if "fuzzy" in e.flags:
            continue
        key = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt else e.msgid
        if e.msgid_plural:
            for n, text in e.msgstr_plural.items():
                if text and compiled._catalog.get((key, n)) != text:
                    stale.append(e.msgid)
        elif e.msgstr and compiled._catalog.get(key) != e.msgstr:
            stale.append(e.msgid)
    assert not stale, f"recompile the .mo (compilemessages --ignore=.venv): {stale[:5]}"


PLACEHOLDER = re.compile(
    r"%\((?P<named>[^)]+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]"  # %(name)s, %(n)d
    r"|%(?P<positional>[sdifr])"  # %s, %d
    r"|\{\{\s*(?P<tvar>[^}\s]+)\s*\}\}"  # {{ var }} inside help texts
    r"|\{(?P<brace>[A-Za-z_][A-Za-z0-9_]*)\}"  # {name}
    r"|(?P<tag></?[a-zA-Z][^>]*>)"  # HTML tags
)


def placeholders(text: str) -> list[str]:
    found = []
    for m in PLACEHOLDER.finditer(text.replace("%%", "")):
        kind = m.lastgroup
        found.append(f"{kind}:{m.group(kind)}")
    return sorted(found)


def test_placeholder_regex():
    assert placeholders(
        "Hồ sơ %(code)s, %s, {name}, {{ dossier_code }}, <abbr>*</abbr>, 100%%"
    ) == [
        "brace:name",
        "named:code",
        "positional:s",
        "tag:</abbr>",
        "tag:<abbr>",
        "tvar:dossier_code",
    ]
    assert placeholders("%(n)d ký tự") == ["named:n"]


def test_every_translation_keeps_the_placeholders_of_its_msgid():
    wrong = []
    for e in _entries():
        if e.msgid_plural:
            pairs = [
                (e.msgid, e.msgstr_plural.get(0, "")),
                (e.msgid_plural, e.msgstr_plural.get(1, "")),
            ]
        else:
            pairs = [(e.msgid, e.msgstr)]
        for source, translated in pairs:
            if translated and placeholders(source) != placeholders(translated):
                wrong.append((source, translated))
    assert not wrong, wrong[:10]


# Same ignores as the documented command (README of this test):
# manage.py makemessages -l en --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles
SOURCE_SKIP = {".venv", ".git", "tests", "bench", "staticfiles", "locale", "var", "node_modules"}


def test_po_has_every_string_of_the_sources(tmp_path, settings, monkeypatch):
    """A string added to the code or templates without running makemessages (and translating it)
    fails here: extract into a scratch copy and compare with the committed catalogue."""
    require_service(bool(shutil.which("xgettext")), "GNU gettext (xgettext)")
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    for item in base.iterdir():
        if item.name in SOURCE_SKIP or item.name.startswith("."):
            continue
        if item.is_dir():
            shutil.copytree(
                item,
                copy / item.name,
                ignore=lambda d, names: [
                    n
                    for n in names
                    if not (Path(d, n).is_dir() or n.endswith((".py", ".html", ".txt")))
                    or n in SOURCE_SKIP
                    or n.startswith(".")
                ],
            )
        elif item.suffix == ".py":
            shutil.copy(item, copy / item.name)
    scratch = copy / "locale"
    scratch.mkdir()
    settings.LOCALE_PATHS = [scratch]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], verbosity=0, ignore_patterns=["locale"])
    fresh = parse_po(scratch / "en" / "LC_MESSAGES" / "django.po")
    assert len(fresh) > 500  # the extraction really ran
    committed = {(e.msgctxt, e.msgid, e.msgid_plural) for e in _entries()}
    missing = sorted(
        e.msgid for e in fresh if (e.msgctxt, e.msgid, e.msgid_plural) not in committed
    )
    assert not missing, (
        f"{len(missing)} source strings are not in {PO_PATH.relative_to(base)}: run "
        "`manage.py makemessages -l en --ignore=.venv --ignore=tests --ignore=bench "
        "--ignore=staticfiles`, translate, `manage.py compilemessages --ignore=.venv`. "
        f"First ones: {missing[:10]}"
    )
