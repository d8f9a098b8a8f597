"""Notes (issue 20): the box is empty after a save, so nothing is saved twice; a note is corrected or withdrawn
in two steps, and a withdrawn note leaves the page while its text stays, encrypted, in the case's history."""

import re

from sqlalchemy import select, text
from test_cases_support import audit_actions

from app.extensions import db

HX = {"HX-Request": "true", "HX-Target": "case-notes"}


def _notes(app):
    from app.cases.models import CaseNote

    with app.app_context():
        rows = [
            (n.id, n.body, n.supersedes_id, n.withdrawn_at)
            for n in db.session.scalars(select(CaseNote).order_by(CaseNote.created_at))
        ]
        db.session.remove()
    return rows


def _note_box(html: str) -> str:
    """The text inside the "add a note" box."""
    return re.search(r'<textarea[^>]*name="note-body"[^>]*>(.*?)</textarea>', html, re.S).group(1).strip()


def test_the_note_box_is_empty_after_saving_with_htmx(app, client, counsellor, case_id):
    saved = client.post(f"/cases/{case_id}/notes", data={"note-body": "Đã gọi điện, chị an toàn"}, headers=HX)
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "Đã gọi điện, chị an toàn" in html  # listed…
    assert _note_box(html) == ""  # …and no longer in the box, so a second tap cannot save it again
    assert 'autocomplete="off"' in html


def test_a_refused_note_keeps_what_was_typed(client, counsellor, case_id):
    long = "x" * 5001
    refused = client.post(f"/cases/{case_id}/notes", data={"note-body": long}, headers=HX)
    assert refused.status_code == 200 and _note_box(refused.get_data(as_text=True)) == long


def test_withdrawing_a_corrected_note_hides_every_version_and_keeps_them_encrypted(app, client, counsellor, case_id):
    client.post(f"/cases/{case_id}/notes", data={"note-body": "Ghi nhầm hồ sơ GHICHU-RUT"})
    ((first, *_),) = _notes(app)
    client.post(f"/cases/{case_id}/notes/{first}", data={f"note-{first}-body": "Vẫn nhầm GHICHU-RUT-2"})
    second = _notes(app)[1][0]
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    # the withdrawal is a second step that says what happens
    assert f"/notes/{second}/withdraw" in page and "sẽ không còn hiện trên hồ sơ" in page
    assert f"/notes/{first}/withdraw" not in page  # only the newest version is withdrawn (with its past)

    done = client.post(f"/cases/{case_id}/notes/{second}/withdraw", headers=HX)
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "GHICHU-RUT" not in html and "1 ghi chú đã rút" in html
    assert "GHICHU-RUT" not in client.get(f"/cases/{case_id}").get_data(as_text=True)
    rows = _notes(app)
    assert [r[1] for r in rows] == ["Ghi nhầm hồ sơ GHICHU-RUT", "Vẫn nhầm GHICHU-RUT-2"]  # history kept
    assert all(r[3] is not None for r in rows)
    with app.app_context():  # …encrypted: the marker is nowhere in the raw table
        raw = db.session.execute(text("SELECT * FROM case_note")).all()
        db.session.remove()
    assert "GHICHU-RUT" not in repr(raw).upper()
    assert ("note.withdraw", "ok") in [(a, r) for a, r, _ in audit_actions(app, case_id)]

    again = client.post(f"/cases/{case_id}/notes/{second}/withdraw", headers=HX)
    assert again.status_code == 200 and "đã được rút" in again.get_data(as_text=True)
    fix = client.post(f"/cases/{case_id}/notes/{second}", data={f"note-{second}-body": "sửa"}, headers=HX)
    assert fix.status_code == 200 and len(_notes(app)) == 2  # a withdrawn note cannot be corrected


def test_withdrawing_without_javascript_goes_back_to_the_notes(client, counsellor, case_id):
    client.post(f"/cases/{case_id}/notes", data={"note-body": "Một ghi chú"})
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    note_id = re.search(r"/notes/([0-9a-f-]{36})/withdraw", page).group(1)
    done = client.post(f"/cases/{case_id}/notes/{note_id}/withdraw")
    assert done.status_code == 303 and done.headers["Location"].endswith("#case-notes")


def test_a_refusal_on_a_panel_is_said_once_where_the_user_looks(client, counsellor, case_id):
    """Without JavaScript the whole page says it once, at its top (each of the case's four panels used to repeat
    it); with htmx the swapped panel says it, and a message still waiting for this user is shown, not dropped."""
    client.post(f"/cases/{case_id}/notes", data={"note-body": "Một ghi chú"})
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    note_id = re.search(r"/notes/([0-9a-f-]{36})/withdraw", page).group(1)
    assert client.post(f"/cases/{case_id}/notes/{note_id}/withdraw").status_code == 303
    again = client.post(f"/cases/{case_id}/notes/{note_id}/withdraw")
    assert again.status_code == 200 and again.get_data(as_text=True).count("đã được rút") == 1
    with client.session_transaction() as session:  # e.g. left by an answer that had no page to show it on
        session["_flashes"] = [("info", "Tin nhắn đang chờ")]
    panel = client.post(f"/cases/{case_id}/notes/{note_id}/withdraw", headers=HX).get_data(as_text=True)
    assert panel.lstrip().startswith("<section") and panel.count("đã được rút") == 1
    assert 'role="status">Tin nhắn đang chờ</div>' in panel
    assert "Tin nhắn đang chờ" not in client.get(f"/cases/{case_id}").get_data(as_text=True)
