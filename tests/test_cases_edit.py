"""Validation on intake and edit, and optimistic locking: a stale save is refused and nothing is lost."""

import re

import pytest
from sqlalchemy import select
from test_cases_support import intake, new_case
from werkzeug.datastructures import MultiDict

from app.extensions import db


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"birth_date": "2099-01-01"}, "birth_date", "tương lai"),  # past 2100: out of range
        ({"birth_year": "2999"}, "birth_year", "tương lai"),
        ({"id_number": "12345"}, "id_number", "12 chữ số"),
        ({"id_number": "01122334455A"}, "id_number", "12 chữ số"),
        ({"phone": "gọi tôi"}, "phone", "Số điện thoại"),
        (
            {"order_issuer": "commune_chair", "order_start": "2026-03-01", "order_end": "2026-03-05"},
            "order_end",
            "3 ngày",
        ),
        ({"order_issuer": "court", "order_start": "2026-01-31", "order_end": "2026-06-01"}, "order_end", "4 tháng"),
        ({"order_issuer": "court", "order_start": "2026-03-01", "order_end": "2026-02-01"}, "order_end", "trước"),
        (
            {"kind": "trafficking", "tr_departure_on": "2025-05-01", "tr_return_on": "2025-04-01"},
            "tr_return_on",
            "trước ngày bị đưa đi",
        ),
        ({"full_name": "Lò\x00Thị Mai"}, "full_name", "ký tự điều khiển"),
        ({"full_name": "x" * 121}, "full_name", "Tối đa"),
        ({"full_name": ""}, "full_name", "Vui lòng"),
        ({"opened_on": "31/02/2026"}, "opened_on", ""),
    ],
)
def test_bad_input_is_shown_beside_its_field_and_everything_typed_is_kept(
    app, client, counsellor, unit, changes, field, message
):
    response = intake(client, unit("TA-02").id, address_detail="Nhà số 7 <b>bản</b> Pá", **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in html and message in html
    assert 'value="Nhà số 7 &lt;b&gt;bản&lt;/b&gt; Pá"' in html  # kept, escaped
    assert 'value="beating_threats" id="dv_acts-beating_threats" checked' in html


def test_legal_maximum_order_durations_are_accepted(app, client, counsellor, unit):
    assert (
        intake(
            client, unit("TA-02").id, order_issuer="commune_chair", order_start="2026-03-01", order_end="2026-03-04"
        ).status_code
        == 303
    )
    assert (
        intake(
            client,
            unit("TA-02").id,
            order_issuer="court",
            order_start="2026-01-31",
            order_end="2026-05-31",
            full_name="Người Khác",
            phone=None,
            id_number=None,
        ).status_code
        == 303
    )
    assert (
        intake(
            client,
            unit("TA-02").id,
            kind="trafficking",
            tr_departure_on="2025-01-01",
            tr_return_on="2025-06-01",
            full_name="Người Thứ Ba",
            phone=None,
            id_number=None,
            id_number_old=None,
        ).status_code
        == 303
    )


def test_a_unit_outside_scope_is_refused(app, client, counsellor, unit):
    response = intake(client, unit("TA-03").id)
    assert response.status_code == 200 and 'id="unit_id-error"' in response.get_data(as_text=True)


class _Fields:
    """The name/value pairs of the edit form, as a browser would send them."""

    def __init__(self, html):
        form = html.split('action="/cases/')[1].split("</form>")[0]
        self.pairs = []
        for tag in re.finditer(r"<(input|select|textarea)\b([^>]*)>", form):
            attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(2)))
            name = attrs.get("name")
            if not name:
                continue
            if tag.group(1) == "input":
                if attrs.get("type") == "checkbox" and " checked" not in tag.group(2):
                    continue
                self.pairs.append((name, attrs.get("value", "")))
            elif tag.group(1) == "select":
                body = form[tag.end() : form.index("</select>", tag.end())]
                options = [o for o in re.findall(r"<option([^>]*)>", body)]
                chosen = [o for o in options if re.search(r"\bselected\b", o)] or options[:1]
                value = re.search(r'value="([^"]*)"', chosen[0]) if chosen else None
                self.pairs.append((name, value.group(1) if value else ""))
            else:
                body = form[tag.end() : form.index("</textarea>", tag.end())]
                self.pairs.append((name, body.lstrip("\n")))

    def set(self, name, value):
        import html as h

        return MultiDict([(n, value if n == name else h.unescape(v)) for n, v in self.pairs])


def test_stale_save_shows_both_versions_and_loses_nothing(app, client, counsellor, make_user, login, unit):
    from app.cases.models import Case

    case_id = new_case(client, unit("TA-02").id)
    colleague = app.test_client()
    login(colleague, make_user("counsellor", "TA-02"))
    mine = _Fields(client.get(f"/cases/{case_id}/edit").get_data(as_text=True))
    theirs = _Fields(colleague.get(f"/cases/{case_id}/edit").get_data(as_text=True))
    assert dict(mine.pairs)["version"] == "1"
    assert (
        colleague.post(f"/cases/{case_id}/edit", data=theirs.set("safety_plan", "Kế hoạch của đồng nghiệp")).status_code
        == 303
    )
    stale = client.post(f"/cases/{case_id}/edit", data=mine.set("safety_plan", "Kế hoạch của tôi"))
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Kế hoạch của tôi" in html and "Kế hoạch của đồng nghiệp" in html
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.safety_plan == "Kế hoạch của đồng nghiệp" and case.version == 2
        db.session.remove()
    # the conflict page's form carries the new version: saving it again goes through
    again = _Fields(html)
    assert dict(again.pairs)["version"] == "2"
    assert client.post(f"/cases/{case_id}/edit", data=again.set("safety_plan", "Kế hoạch của tôi")).status_code == 303
    with app.app_context():
        assert db.session.get(Case, case_id).safety_plan == "Kế hoạch của tôi"
        db.session.remove()


def test_concurrent_flush_is_a_conflict_too(app, make_user, unit):

    unit_id, user_id = unit("TA-02").id, make_user("counsellor", "TA-02").id
    with app.test_request_context():
        _race(user_id, unit_id)


def _race(user_id, unit_id):
    from datetime import date

    from app.auth.models import User
    from app.cases import services
    from app.cases.models import Case

    actor = db.session.get(User, user_id)
    case = services.create_case(
        {
            "kind": "dv",
            "unit_id": unit_id,
            "sex": "female",
            "age_band": "18_29",
            "ethnic_code": "03",
            "poverty_status": "poor",
            "opened_on": date(2026, 1, 1),
            "full_name": "A",
        },
        actor=actor,
    )
    db.session.commit()
    assert case.version == 1
    # another writer saves between our read and our flush
    db.session.execute(
        db.update(Case).where(Case.id == case.id).values(version=2).execution_options(synchronize_session=False)
    )
    with pytest.raises(services.EditConflict):
        services.update_case(case, {"safety_plan": "x"}, actor=actor, version=1)
    db.session.rollback()
    db.session.remove()


def test_edit_keeps_fields_of_the_other_kind_out(app, client, counsellor, unit):
    from app.cases.models import Case

    case_id = new_case(client, unit("TA-02").id, kind="dv", tr_destination="Trung Quốc")
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.id == case_id))
        assert case.trafficking is None and case.domestic_violence["acts"]
        db.session.remove()
