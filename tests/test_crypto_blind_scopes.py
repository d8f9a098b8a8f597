"""Blind indexes are keyed per commune (search scope): the same person in two communes gets unrelated index
values, so the indexes cannot link them; a user whose scope covers both communes still finds both."""

from datetime import date

from sqlalchemy import select

from app.auth.models import User
from app.crypto.blind import blind_index, fold_diacritics, normalize_digits, normalize_text
from app.crypto.records import blind_hash
from app.extensions import db
from app.units.queries import by_code, search_scope

NAME, PHONE, YEAR = "Lò Thị Trùngtên", "0912 777 888", 1991
INDEXES = ("bidx_name", "bidx_name_fold", "bidx_phone", "bidx_name_year")


def _open(actor, unit_code, **extra):
    from app.cases.services import create_case

    data = {
        "kind": "dv",
        "unit_id": by_code(unit_code).id,
        "sex": "female",
        "age_band": "30_44",
        "ethnic_code": "03",
        "poverty_status": "poor",
        "risk_level": "medium",
        "opened_on": date(2026, 2, 1),
        "full_name": NAME,
        "phone": PHONE,
        "birth_year": YEAR,
        **extra,
    }
    return create_case(data, actor=actor)


def _two_communes(app, make_user):
    """A counsellor of the merged commune Quài Tở (2025) sees TA-02 (old Quài Tở) and old Tỏa Tình: one case
    of the same person in each."""
    merged = make_user("counsellor", "2025-03295")
    with app.app_context():
        actor = db.session.get(User, merged.id)
        first, second = _open(actor, "TA-02"), _open(actor, "03280")
        db.session.commit()
        ids = first.id, second.id
        db.session.remove()
    return merged, ids


def test_same_name_in_two_communes_gives_unrelated_index_values(app, make_user):
    from app.cases.models import NAME_INDEXES, NAME_YEAR, Case
    from app.cases.models import PHONE as PHONE_SPEC

    _, (first_id, second_id) = _two_communes(app, make_user)
    with app.app_context():
        first, second = db.session.get(Case, first_id), db.session.get(Case, second_id)
        scopes = search_scope(first.unit_id), search_scope(second.unit_id)
        assert scopes == (by_code("03295").id, by_code("03280").id)  # each case's own commune
        # The stored values are the commune's: recomputed with the other commune's keys they do not match.
        for case, scope in ((first, scopes[0]), (second, scopes[1])):
            assert case.bidx_name == blind_hash("case_record", NAME_INDEXES[0], NAME, scope=scope)
            assert case.bidx_phone == blind_hash("case_record", PHONE_SPEC, PHONE, scope=scope)
            assert case.bidx_name_year == blind_hash(
                "case_record", NAME_YEAR, f"{fold_diacritics(NAME)}|{YEAR}", scope=scope
            )
        assert [getattr(first, c) for c in INDEXES] != [getattr(second, c) for c in INDEXES]
        # Untruncated, the two communes' keys give different hashes of the same value (not a near miss).
        root = app.extensions["tincay_keyring"].index_root
        for name, normalized in (("name", normalize_text(NAME)), ("phone", normalize_digits(PHONE))):
            assert blind_index(root, "case_record", name, normalized, 32, scopes[0]) != blind_index(
                root, "case_record", name, normalized, 32, scopes[1]
            )
        db.session.remove()


def test_a_user_who_sees_both_communes_finds_both_and_a_trusted_address_only_its_own(app, make_user):
    from app.cases import queries

    merged, (first_id, second_id) = _two_communes(app, make_user)
    local = make_user("counsellor", "TA-02")
    with app.app_context():
        wide, narrow = db.session.get(User, merged.id), db.session.get(User, local.id)
        for term in (NAME, "lo thi trungten", PHONE):
            assert {c.id for c in queries.search_cases(wide, term)} == {first_id, second_id}, term
            assert {c.id for c in queries.search_cases(narrow, term)} == {first_id}, term
        dupes = queries.find_duplicates(wide, full_name="Lo Thi Trungten", birth_year=YEAR)
        assert {c.id for c in dupes} == {first_id, second_id}
        assert {c.id for c in queries.find_duplicates(narrow, phone=PHONE)} == {first_id}
        db.session.remove()


def test_reindex_moves_old_installation_wide_values_to_the_commune_keys(app, make_user):
    from app.cases import queries
    from app.cases.models import NAME_INDEXES, Case
    from app.cases.services import reindex_blind

    _, (first_id, _second) = _two_communes(app, make_user)
    local = make_user("counsellor", "TA-02")
    with app.app_context():
        case = db.session.get(Case, first_id)
        case.bidx_name = blind_hash("case_record", NAME_INDEXES[0], NAME)  # as made before (one key for all)
        case.bidx_name_fold = blind_hash("case_record", NAME_INDEXES[1], NAME)
        case.bidx_scheme = None
        db.session.commit()
        narrow = db.session.get(User, local.id)
        assert queries.search_cases(narrow, NAME) == []  # the old values do not answer a scoped search
        assert reindex_blind() == 1
        assert reindex_blind() == 0  # resumable and idempotent
        assert [c.id for c in queries.search_cases(narrow, NAME)] == [first_id]
        assert db.session.scalar(select(Case.bidx_scheme).where(Case.id == first_id)) == 2
        db.session.remove()


def test_moving_a_case_to_another_commune_rekeys_its_indexes(app, make_user):
    from app.cases.models import NAME_INDEXES, Case
    from app.cases.services import update_case

    merged, (first_id, _second) = _two_communes(app, make_user)
    with app.app_context():
        case = db.session.get(Case, first_id)
        update_case(case, {"unit_id": by_code("03280").id}, actor=db.session.get(User, merged.id), version=case.version)
        db.session.commit()
        moved = db.session.get(Case, first_id)
        assert moved.bidx_name == blind_hash("case_record", NAME_INDEXES[0], NAME, scope=by_code("03280").id)
        db.session.remove()


def test_a_cross_commune_duplicate_check_is_asked_on_purpose_names_communes_only_and_is_audited(
    app, client, make_user, login, unit
):
    from app.audit.models import AuditEntry
    from app.cases.models import Case

    _, (first_id, second_id) = _two_communes(app, make_user)
    login(client, make_user("counsellor", "TA-03"))  # Mường Mùn: neither case is in its scope
    typed = {"full_name": "Lò Thị Trùngtên", "birth_year": str(YEAR), "unit_id": unit("TA-03").id}
    own = client.post("/cases/new/duplicates", data=typed).get_data(as_text=True)
    assert "Không thấy hồ sơ trùng trong phạm vi của bạn" in own and "Kiểm tra cả ở các xã khác" in own
    across = client.post("/cases/new/duplicates", data={**typed, "across": "1"}).get_data(as_text=True)
    with app.app_context():
        codes = [db.session.get(Case, i).code for i in (first_id, second_id)]
        names = [by_code(c).name for c in ("03295", "03280")]
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "case.duplicate_check_across")).one()
        assert '"found": 2' in entry.detail and NAME not in entry.detail
        db.session.remove()
    assert all(name in across for name in names)  # the communes, to ask their supervisor
    assert not any(code in across for code in codes) and NAME not in across.replace(typed["full_name"], "")
    nobody = client.post("/cases/new/duplicates", data={**typed, "full_name": "Người Khác Hẳn", "across": "1"})
    assert "Không thấy hồ sơ trùng ở các xã khác" in nobody.get_data(as_text=True)
