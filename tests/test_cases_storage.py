"""What is written through the intake form is sealed at rest, shown on the case page, and escaped everywhere."""

import pytest
from helpers import sqlite_file_bytes
from test_cases_support import INTAKE, intake, new_case

from app.extensions import db

SECRET_VALUES = {
    "full_name": "Lường Thị Xuân Hoà",
    "other_names": "Bí danh Mây Trắng",
    "phone": "0987 654 321",
    "id_number": "031234567890",
    "address_detail": "Nhà sàn cuối bản Hua Sa",
    "perpetrator": "Cà Văn Khẩm",
    "incident": "Bị khoá trong buồng ba ngày liền",
    "safety_plan": "Sang nhà chị gái ở bản bên",
    "contact_code_word": "mượn cái nong phơi thóc",
    "reported_by": "Cô giáo Quàng Thị Nhung",
}


def test_identity_and_narrative_never_reach_the_database_file_in_plaintext(app, client, make_user, login, unit):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("raw file check is for SQLite")
    login(client, make_user("counsellor", "TA-02"))
    case_id = new_case(client, unit("TA-02").id, **SECRET_VALUES)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    for value in SECRET_VALUES.values():
        assert value in page  # shown to the counsellor…
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # make sure everything is written
        path = db.engine.url.database
        db.session.remove()
    raw = sqlite_file_bytes(path)
    assert raw
    for name, value in SECRET_VALUES.items():
        needles = {value.encode(), value.encode("utf-16-le"), value.replace(" ", "").encode()}
        for needle in needles:
            assert needle not in raw, f"{name} found in the database file"


HOSTILE = '<script>alert(1)</script><img src=x onerror="x()">'


def test_html_typed_into_any_field_is_escaped_everywhere_it_is_shown(app, client, make_user, login, unit):
    user = make_user("counsellor", "TA-02")
    login(client, user)
    text_fields = (
        "full_name",
        "other_names",
        "address_detail",
        "perpetrator",
        "perpetrator_relation",
        "reported_by",
        "incident",
        "safety_plan",
        "contact_window",
        "contact_code_word",
        "contact_notes",
        "risk_reasons",
        "needs",
        "guardian_name",
        "protective_measures",
        "tr_destination",
    )
    case_id = new_case(client, unit("TA-02").id, kind="both", **dict.fromkeys(text_fields, HOSTILE))
    client.post(f"/cases/{case_id}/notes", data={"note-body": HOSTILE})
    client.post(
        f"/cases/{case_id}/followups",
        data={"followup-due_on": "2026-01-01", "followup-purpose": HOSTILE, "followup-assignee_id": user.id},
    )
    client.post(
        f"/cases/{case_id}/services",
        data={"service-kind": "medical", "service-status": "planned", "service-notes": HOSTILE},
    )
    pages = [
        client.get(f"/cases/{case_id}"),
        client.get(f"/cases/{case_id}/edit"),
        client.get("/cases/"),
        client.get("/cases/followups"),
        client.post("/cases/", data={"q": HOSTILE}),
        intake(client, unit("TA-02").id, birth_year="2999", full_name=HOSTILE),
    ]
    for response in pages:
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "<script>alert" not in html and "<img src=x" not in html
    detail = pages[0].get_data(as_text=True)
    assert detail.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= len(text_fields)


def test_a_swapped_ciphertext_shows_record_damaged_not_wrong_data(app, client, make_user, login, unit):
    from app.cases.models import Case

    login(client, make_user("counsellor", "TA-02"))
    first = new_case(client, unit("TA-02").id, full_name="Lò Thị Một")
    second = new_case(client, unit("TA-02").id, full_name="Lò Thị Hai", phone="0911000222", id_number=None)
    with app.app_context():
        a, b = db.session.get(Case, first), db.session.get(Case, second)
        a.full_name_enc = b.full_name_enc  # an attacker moves a ciphertext between rows
        db.session.commit()
        db.session.remove()
    response = client.get(f"/cases/{first}")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Lò Thị Hai" not in html and "Lò Thị Một" not in html
    listing = client.get("/cases/")
    assert listing.status_code == 409 and "Lò Thị Hai" not in listing.get_data(as_text=True)


def test_mixed_unicode_forms_are_stored_as_one(app, client, make_user, login, unit):
    import unicodedata

    from app.cases.models import Case

    login(client, make_user("counsellor", "TA-02"))
    case_id = new_case(client, unit("TA-02").id, full_name=unicodedata.normalize("NFD", INTAKE["full_name"]))
    with app.app_context():
        assert db.session.get(Case, case_id).full_name == unicodedata.normalize("NFC", INTAKE["full_name"])
        db.session.remove()
