"""The English catalogue covers every message in the sources, keeps their placeholders, and English pages show it.

The template is extracted afresh from the sources (as `pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_`
would), so a message added to the code without an English translation fails here, not only in the browser test.
"""

import os
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from helpers import not_hidden

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "app/translations/en/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "N_": None}
_PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sdif%]")


@pytest.fixture(scope="module")
def template() -> Catalog:
    """A fresh messages.pot, extracted in memory with the project's babel.cfg."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=not_hidden
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


@pytest.fixture(scope="module")
def english() -> Catalog:
    with open(PO, "rb") as fh:
        return read_po(fh, locale="en")


def _key(message_id):
    return message_id[0] if isinstance(message_id, (tuple, list)) else message_id


def _strings(message) -> tuple:
    return message.string if isinstance(message.string, (tuple, list)) else (message.string,)


def test_every_source_message_has_an_english_translation(template, english):
    assert len(template) > 500, "extraction found almost nothing: is babel.cfg still at the root?"
    missing, fuzzy = [], []
    for message in template:
        if not message.id:
            continue
        found = english.get(_key(message.id))
        if found is None or not all(_strings(found)):
            missing.append(_key(message.id))
        elif found.fuzzy:
            fuzzy.append(_key(message.id))
    assert not missing, (
        f"{len(missing)} messages have no English (see babel.cfg for the extract/update steps; "
        f"then translate in {PO.relative_to(ROOT)}): {missing[:20]}"
    )
    assert not fuzzy, f"fuzzy English entries to check: {fuzzy[:20]}"


def test_the_catalogue_has_no_fuzzy_or_empty_entry(english):
    bad = [_key(m.id) for m in english if m.id and (m.fuzzy or not all(_strings(m)))]
    assert not bad, bad[:20]


def test_placeholders_are_kept(english):
    wrong = []
    for message in english:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        for index, string in enumerate(_strings(message)):
            source = ids[min(index, len(ids) - 1)]
            if sorted(_PLACEHOLDER.findall(source)) != sorted(_PLACEHOLDER.findall(string)):
                wrong.append((source, string))
    assert not wrong, wrong[:20]


@pytest.fixture(scope="module")
def compiled():
    """The .mo is built by `make` (and git-ignored); build it here when it is missing or older than the .po."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        with open(PO, "rb") as fh:
            catalog = read_po(fh, locale="en")
        partial = MO.with_name(f"messages.{os.getpid()}.mo.tmp")
        with open(partial, "wb") as fh:
            write_mo(fh, catalog)
        os.replace(partial, MO)


def test_login_page_speaks_english_with_the_cookie(app, compiled):
    client = app.test_client()
    client.set_cookie("lang", "en")
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    for english_text in ("Sign in", "Quick exit", "Username", "Password"):
        assert english_text in page
    for vietnamese_text in ("Đăng nhập", "Thoát nhanh", "Tên đăng nhập", "Mật khẩu"):
        assert vietnamese_text not in page


def test_request_error_texts_follow_the_language(app, compiled):
    """The failed-request messages app.js shows (base.html's #request-error) come in the page's language."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'data-offline="Could not reach the server: this was not saved.' in page
    assert 'data-e404="This could not be found: it may have been deleted or withdrawn.' in page
    assert "Không kết nối được với máy chủ" not in page


def test_login_page_is_vietnamese_by_default(app, compiled):
    page = app.test_client().get("/auth/login").get_data(as_text=True)
    assert "Đăng nhập" in page and "Thoát nhanh" in page and "Quick exit" not in page


def test_code_list_labels_follow_the_language(app, compiled):
    from app.cases import reference_data as ref
    from app.web.i18n import label, translated

    risks = dict(translated(ref.RISK_LEVELS))
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert str(risks["high"]) == "High"
        assert label("%") == "%" and label("tổ") == "groups"
        assert str(dict(translated(ref.ETHNIC_GROUPS))["03"]) == "Thái"  # a proper noun stays as it is
    with app.test_request_context("/"):
        assert str(risks["high"]) == "Cao"
