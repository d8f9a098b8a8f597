"""Language: every page each role reaches (demo data loaded) shows only words from the catalogue.

* Vietnamese: every visible text is a message the code marks for translation (`_()`/`_l()`, extracted live
  from the sources as `pybabel extract` would), or data (names, codes, numbers, dates) — so nothing is
  hard-coded past the catalogue, in English or otherwise.
* English (cookie lang=en): every visible text is an English translation from the catalogue, or data — so no
  Vietnamese message is left untranslated.

Data is narrow and named (see `data_strings` and `proper_nouns`): what users type or the database holds as a
name, code or free text; the proper nouns of the reference data (unit and institution names, ethnic groups, the
plan's own wording of indicators and activities); codes, numbers and dates. Code-list labels marked with `N_()`
in the reference data are catalogue messages, not data: English pages must show them translated.

Text is taken from text nodes and from the attributes people hear or see (aria-label, title, placeholder,
alt), hidden ones included (a warning shown later must be translated too).
"""

import re
from functools import lru_cache
from pathlib import Path

import pytest
from e2e_support import ROLES, check_axe, crawl, page_shape, sign_in
from helpers import not_hidden

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ENDONYMS = {"Tiếng Việt", "English"}  # the language switch names each language in itself, on purpose
MARKS = {"x"}  # the statistical mark of a suppressed cell, as in official tables (explained on the page)
# Codes and ids shown as such: TA-02, TG-2026-0001, auth.login, user_account, 099, 2FA; document numbers such as
# 21/QĐ-UBND or 124/2004/QĐ-TTg.
_CODE = re.compile(
    r"^[A-Za-z0-9]*[0-9._:/#-][A-Za-z0-9._:/#-]*$|^[a-z]+(?:_[a-z]+)+$"
    r"|^\d+(?:/\d{4})?/[A-ZĐ][A-Za-zĐ0-9-]*$"
)
_NO_LETTERS = re.compile(r"^[\W\d_]*$")
# A text node may join several things ("Tư vấn viên — TA-02", "Xã Pú Xi (03269) → Xã Mường Mùn", "CT1. Tổ …",
# "· hạn …"): split it at these separators, the loosest first, and accept it when every piece is fine.
_SEPARATORS = [
    re.compile(p)
    for p in (
        r"(?:^|\s+)[—–·|→]\s+",
        r"[,;]\s+",
        r":\s+",
        r"\s*[()\[\]]\s*",
        r"(?<=\.)\s+",
        r"(?<=\d)\s+|\s+(?=\d)",
        r"\s+/\s+",
        r"\s+",
    )
]
_PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sd]")
_MONEY = re.compile(r"^-?\d{1,3}(?:\.\d{3})* đ$")  # 12.380.000 đ

_TEXTS = """() => {
  const out = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest('script, style, code, svg')) continue;
    out.push(node.textContent);
  }
  for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    for (const a of ['aria-label', 'title', 'placeholder', 'alt']) if (el.hasAttribute(a)) out.push(el.getAttribute(a));
  }
  return out.map(t => t.replace(/\\s+/g, ' ').trim()).filter(Boolean);
}"""


@lru_cache(maxsize=1)
def vietnamese_catalogue() -> frozenset[str]:
    """Every msgid in the sources (what `pybabel extract -F babel.cfg` would put in messages.pot)."""
    from babel.messages.extract import extract_from_dir

    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "_l": None, "N_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=keywords, directory_filter=not_hidden
    ):
        ids.update(m for m in (message if isinstance(message, tuple) else (message,)) if m)
    return frozenset(ids)


@lru_cache(maxsize=1)
def english_catalogue() -> frozenset[str]:
    from babel.messages.pofile import read_po

    with open(ROOT / "app/translations/en/LC_MESSAGES/messages.po", "rb") as fh:
        strings = set()
        for m in read_po(fh):
            if m.id and m.string:  # a plural message has one string per form
                strings.update([m.string] if isinstance(m.string, str) else [x for x in m.string if x])
        return frozenset(strings)


def _matcher(messages) -> re.Pattern:
    def pattern(message: str) -> str:
        return ".+?".join(re.escape(part) for part in _PLACEHOLDER.split(" ".join(message.split())))

    return re.compile("^(?:" + "|".join(sorted(map(pattern, messages), key=len, reverse=True)) + ")$", re.S)


# The reference data whose words are proper nouns or quotations, shown as they are in every language: the names
# of units and institutions (app/units), the ethnic groups and their other spellings, and the plan's own wording
# of indicators, activities, notes and budget (app/indicators/catalogue_data.py, quoted verbatim). Labels in these
# modules that are marked with N_() (indicator short names and units) are messages and are subtracted below.
PROPER_NOUNS = {
    "app.units.reference_data": None,  # every name
    "app.indicators.catalogue_data": None,  # the plan's wording
    "app.cases.reference_data": ("ETHNIC_GROUPS", "ETHNIC_ALIASES"),
}


@lru_cache(maxsize=1)
def proper_nouns() -> frozenset[str]:
    """The words of PROPER_NOUNS, less the labels marked N_() in those modules."""
    from importlib import import_module

    from babel.messages.extract import extract_from_file

    values = set()
    for module_name, names in PROPER_NOUNS.items():
        module = import_module(module_name)
        words = set()
        for name, value in vars(module).items():
            if name.isupper() and (names is None or name in names):
                _flatten(value, words)
        marked = {
            message
            for _line, message, _comments, _context in extract_from_file(
                "python", module.__file__, keywords={"N_": None}
            )
        }
        values |= words - marked
    return frozenset(values)


# Plain columns holding names, codes or what a user typed. (Indicator short names are not here: they are N_()
# labels, so English pages must show them translated.)
PLAIN_DATA_COLUMNS = (
    "name",
    "code",
    "username",
    "display_name",
    "title",
    "decision_number",
    "results",
    "difficulties",
    "recommendations",
    "return_reason",
    "reopen_reason",
    "contact",
    "hours",
    "note",  # these three: a directory service's office details
    "work_note",  # a unit's office hours, as its admin wrote them
    "text_vi",
    "text_plain",  # the sensitive-data notice: the controller's text, as written
    "topic",
    "void_reason",
    "voucher_number",
)  # the registers: what an event or meeting was
# about, why an entry was voided, the accounting voucher's number


def data_strings(server) -> set[str]:
    """What the pages may show that is data, not interface: names of units and people, codes, decrypted fields,
    and the free text users type into plain columns (report narratives, reasons, decision numbers)."""
    from app.crypto.records import Encrypted
    from app.extensions import db

    def collect():
        values = set()
        tables = set(db.inspect(db.engine).get_table_names())
        for mapper in db.Model.registry.mappers:
            model = mapper.class_
            if getattr(model, "__tablename__", None) not in tables:
                continue
            encrypted = [n for k in model.__mro__ for n, v in vars(k).items() if isinstance(v, Encrypted)]
            plain = [c.key for c in mapper.column_attrs if c.key in PLAIN_DATA_COLUMNS]
            if not encrypted and not plain:
                continue
            for row in db.session.scalars(db.select(model)).all():
                for name in plain + encrypted:
                    try:
                        _flatten(getattr(row, name), values)
                    except Exception:  # noqa: BLE001 - erased or damaged rows show no data anyway
                        pass
        return values

    return server.query(collect) | coded_reference_data()


def coded_reference_data() -> set[str]:
    """Bilingual data shown as it is: protection's coded lists and articles, the holidays package's names."""
    from app.deadlines import Rule
    from app.protection import reference_data as ref
    from app.protection import rules

    values = {rule.article for rule in vars(rules).values() if isinstance(rule, Rule)}
    # Holiday names come from the `holidays` package in the reader's language (the admin calendar).
    import holidays

    for language in ("vi", "en_US"):
        calendar = holidays.country_holidays("VN", years=range(2010, 2041), language=language)
        values.update(str(name) for name in calendar.values())
    for codes in vars(ref).values():
        if isinstance(codes, tuple) and codes and isinstance(codes[0], ref.Code):
            for code in codes:
                values.update(x for x in (code.vi, code.en, code.article) if x)
    return values


def _flatten(value, into: set):
    if isinstance(value, str):
        into.add(" ".join(value.split()))
    elif isinstance(value, dict):
        for v in value.values():
            _flatten(v, into)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _flatten(v, into)


def untranslated(texts, matcher: re.Pattern, data: set[str]) -> list[str]:
    """The texts that are neither catalogue messages nor data, even when split at separators."""
    # Long data (unit names with brackets, full names) is cut out first; short data must be a whole piece.
    long_data = sorted((d for d in data if len(d) >= 6 or " " in d), key=len, reverse=True)

    def whole(text: str) -> bool:
        return (
            not text
            or _NO_LETTERS.match(text) is not None
            or text in data
            or text in ENDONYMS
            or text in MARKS
            or _CODE.match(text) is not None
            or _MONEY.match(text) is not None
            or matcher.match(text) is not None
        )

    def fine(text: str, level: int = 0) -> bool:
        if whole(text):
            return True
        for depth in range(level, len(_SEPARATORS)):
            pieces = [p.strip() for p in _SEPARATORS[depth].split(text)]
            if len(pieces) > 1:
                return all(fine(p, depth + 1) for p in pieces)
        return False

    def without_data(text: str) -> str:
        for d in long_data:
            if d in text:
                text = text.replace(d, " · ")
        return text.strip(" ·")

    return [text for text in texts if not fine(text) and not fine(without_data(text))]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_speaks_one_language_and_passes_axe(browser, demo, role, lang):
    user = demo.cast.get(role)
    if user is None:
        pytest.skip(f"no demo user for {role}")
    matcher = _matcher(vietnamese_catalogue() if lang == "vi" else english_catalogue())
    data = data_strings(demo) | proper_nouns()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        if lang == "en":
            context.add_cookies([{"name": "lang", "value": "en", "url": demo.url}])
        page = context.new_page()
        sign_in(page, demo, user) if lang == "vi" else _sign_in_en(page, demo, user)
        problems = {}
        for path, _response in crawl(page, demo):
            check_axe(page, f"{lang} {role} {page_shape(path)}")  # accessible in both languages (issue 20)
            bad = untranslated(page.evaluate(_TEXTS), matcher, data)
            if bad:
                problems[page_shape(path)] = sorted(set(bad))
        assert not problems, f"{lang}: text not in the catalogue, by page: {problems}"
    finally:
        context.close()


def _sign_in_en(page, server, user):
    from e2e_support import totp_code

    page.goto(server.url + "/auth/login")
    page.locator("#username").fill(user.username)
    page.locator("#password").fill(user.password)
    page.locator("main button[type=submit]").click()
    page.locator("#code").fill(totp_code(user))
    page.locator("main button[type=submit]").click()
    page.locator("nav.nav").wait_for()


def test_the_check_catches_hard_coded_text():
    matcher = _matcher(vietnamese_catalogue())
    texts = [
        "Đăng nhập",
        "Tổng số mục: 26. Nhật ký chỉ ghi mã và thao tác, không ghi dữ liệu cá nhân.",
        "Cán bộ Hội LHPN huyện (xét duyệt) — 099",
        "29/11/2026",
        "TG-2026-0001",
        "Lò Thị Mai",
        "Save changes",
        "Lưu bản ghi tạm",
        "failed",
    ]
    assert untranslated(texts, matcher, {"Lò Thị Mai"}) == ["Save changes", "Lưu bản ghi tạm", "failed"]
