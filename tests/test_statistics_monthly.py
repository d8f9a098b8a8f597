"""The GBVIMS-style monthly tables: each figure of the dataset stated by hand, suppressed for the file and for
viewers outside the unit, on a page (numbers the Vietnamese way) and as Excel (openpyxl and LibreOffice)."""

import re
from datetime import date
from io import BytesIO

import pytest
import time_machine
from markup_support import unlabelled
from openpyxl import load_workbook
from protection_support import case, user, vn
from statistics_support import build_dataset, soffice_rows

from app.extensions import db

AGENCY = "AG-PVHXH-03295"


@pytest.fixture
def dataset(app, make_user):
    """statistics_support's cases, plus legal aid granted to case 3 in June and two referrals sent in July
    (case 0's withdrawn, case 1's waiting)."""
    from app.cases.services import record_consent
    from app.protection import services
    from app.referrals.services import send_referral, withdraw
    from app.units.queries import by_code

    found = build_dataset(app, make_user)
    with app.test_request_context():
        with time_machine.travel(vn(2026, 12, 2, 9, 0), tick=False):
            services.grant_entitlement(
                case(found.case_ids[3]),
                {"regime": "legal_aid", "responsible_body": "legal_aid_centre", "granted_on": date(2026, 6, 10)},
                actor=user(found.counsellor_ids[3]),
            )
        for n in (0, 1):
            c, actor = case(found.case_ids[n]), user(found.counsellor_ids[n])
            with time_machine.travel(vn(2026, 7, 1 + n, 9, 0), tick=False):
                record_consent(
                    c,
                    {
                        "purpose": "share_with_agency",
                        "agency_id": by_code(AGENCY).id,
                        "method": "signed",
                        "given_by": "self",
                        "given_on": date(2026, 7, 1),
                    },
                    actor=actor,
                )
                referral = send_referral(
                    c,
                    {
                        "idempotency_key": f"monthly-{n}",
                        "agency_id": by_code(AGENCY).id,
                        "services": ["psychological"],
                        "fields": ["age_band"],
                    },
                    actor=actor,
                )
                if n == 0:
                    withdraw(referral, actor=actor)
        db.session.commit()
    return found


def _monthly(app, viewer="nobody"):
    from app.statistics import gbvims
    from app.units.queries import by_code, scope_ids

    with app.test_request_context(), time_machine.travel(vn(2026, 12, 2, 9, 0), tick=False):
        root = by_code("03295")
        report = gbvims.build(root, 2026, frozenset(scope_ids(root)) if viewer == "own" else frozenset())
        db.session.remove()
    return {t.key: t for t in report.tables}, report


def _values(table, month=None):
    cells = table.col_totals if month is None else table.cells[month - 1]
    return [c.value for c in cells]


def test_the_monthly_counts_by_hand(app, dataset):
    tables, report = _monthly(app, "own")
    assert report.months == list(range(1, 13))
    # columns: rape, sexual assault, physical, forced marriage, economic, psychological (one type per incident)
    types = tables["types"]
    assert _values(types, 3) == [0, 0, 1, 0, 0, 0]  # case 0: physical and psychological -> physical
    assert _values(types, 4) == [0, 0, 2, 0, 0, 0]  # cases 1, 2 (physical and economic -> physical)
    assert _values(types, 5) == [1, 0, 0, 0, 0, 1]  # case 4 (sexual, rape, first), case 3 (psychological)
    assert _values(types, 6) == [0, 0, 1, 0, 0, 0]  # case 5 (case 6 withdrew its consent for statistics)
    assert _values(types) == [1, 0, 4, 0, 0, 1] and types.grand.value == 6  # case 7's incident is in 2025
    relations = tables["relations"]  # partner, caregiver, other family, acquaintance, none, trafficker
    assert _values(relations) == [3, 1, 2, 0, 0, 0]
    assert _values(relations, 5) == [0, 1, 1, 0, 0, 0]  # a parent (case 4), an in-law (case 3)
    services = tables["services"]  # health, psychosocial, legal, safety, shelter, livelihood, other
    assert _values(services) == [1, 0, 1, 3, 0, 0, 0]  # medical (4); legal aid (3); stop x2, summon (0, 1, 2)
    assert _values(services, 6) == [0, 0, 1, 0, 0, 0, 0]
    referrals = tables["referrals"]  # waiting, accepted, completed, declined, withdrawn
    assert _values(referrals, 7) == [1, 0, 0, 0, 1] and referrals.grand.value == 2


def test_the_file_and_outsiders_see_small_cells_hidden(app, dataset):
    tables, _report = _monthly(app)
    with app.app_context():
        for key, grand in (("types", "6"), ("relations", "6"), ("services", "5"), ("referrals", "<5")):
            table = tables[key]
            assert {table.show(c) for row in table.cells for c in row} == {"<5"}, key
            assert {table.show(c) for c in table.col_totals + table.row_totals} == {"<5"}, key
            assert table.show(table.grand) == grand, key


def test_the_excel_file_opens_with_the_suppressed_tables(app, dataset, tmp_path):
    from app.statistics import gbvims

    _tables, report = _monthly(app)
    with app.test_request_context():
        content = gbvims.workbook(report)
    sheet = load_workbook(BytesIO(content)).active
    texts = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "BẢNG SỐ LIỆU HẰNG THÁNG VỀ BẠO LỰC TRÊN CƠ SỞ GIỚI (THEO PHÂN LOẠI GBVIMS)" in texts
    totals = [row for row in sheet.iter_rows(values_only=True) if row[1] == "Tổng cộng"]
    assert (totals[0][8], totals[1][8]) == (6, 6)  # the grand totals of types (6 columns) and relations (6)
    assert "Tháng 12" in texts and "NGƯỜI LẬP BIỂU" in texts
    rows = soffice_rows(content, tmp_path)
    assert any(row[1:9] == ["Tổng cộng", "<5", "<5", "<5", "<5", "<5", "<5", "6"] for row in rows)


def test_the_page_for_a_counsellor_and_for_the_monitor(app, dataset, make_user, login):
    with time_machine.travel(vn(2026, 12, 2, 9, 0), tick=False):
        own = app.test_client()
        login(own, make_user("counsellor", "TA-02"))
        page = unlabelled(own.get("/statistics/monthly?year=2026").get_data(as_text=True))
        # the commune's figures count other units' cases too: a trusted address's counsellor sees them hidden
        assert "Tháng 4" in page and "Cưỡng ép kết hôn" in page and "<td>&lt;5</td>" in page
        assert "monthly.xlsx" not in page  # a counsellor downloads no file
        monitor = app.test_client()
        login(monitor, make_user("monitor", "11"))
        page = unlabelled(monitor.get("/statistics/monthly?year=2026").get_data(as_text=True))
        assert "<td>&lt;5</td>" in page and "monthly.xlsx?year=2026" in page
        response = monitor.get("/statistics/monthly.xlsx?year=2026")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="gbvims-theo-thang-11-2026.xlsx"'


def test_numbers_on_the_page_are_written_the_vietnamese_way(app, make_user, login, monkeypatch):
    """1234 is "1.234" (Babel, vi): a table whose cells are all in clear shows them grouped."""
    from app.indicators.derived import Cell, Table
    from app.statistics import gbvims
    from app.statistics.gbvims import Monthly

    def big(root, year, viewer_units):
        cell = Cell(1234, frozenset())
        table = Table("types", "T", ["Tháng 1"], ["A"], [[cell]], [cell], row_totals=[cell], grand=cell)
        return Monthly(root, year, [1], [table])

    monkeypatch.setattr(gbvims, "build", big)
    client = app.test_client()
    login(client, make_user("monitor", "11"))
    page = client.get("/statistics/monthly").get_data(as_text=True)
    assert "1.234" in page and not re.search(r"(?<![\w-])1234(?![\w-])", page)  # not in an id


def test_a_referral_sent_after_midnight_in_viet_nam_counts_in_its_vietnamese_month(app, dataset):
    """The outcomes are counted by month in SQL (app/statistics/gbvims.py): 00:30 on 1 August in Việt Nam is
    still 31 July in UTC, and counts in August."""
    from app.cases.services import record_consent
    from app.referrals.services import send_referral
    from app.units.queries import by_code

    with app.test_request_context():
        c, actor = case(dataset.case_ids[2]), user(dataset.counsellor_ids[2])
        with time_machine.travel(vn(2026, 8, 1, 0, 30), tick=False):
            record_consent(
                c,
                {
                    "purpose": "share_with_agency",
                    "agency_id": by_code(AGENCY).id,
                    "method": "signed",
                    "given_by": "self",
                    "given_on": date(2026, 7, 31),
                },
                actor=actor,
            )
            send_referral(
                c,
                {
                    "idempotency_key": "monthly-midnight",
                    "agency_id": by_code(AGENCY).id,
                    "services": ["psychological"],
                    "fields": ["age_band"],
                },
                actor=actor,
            )
        db.session.commit()
    referrals = _monthly(app, "own")[0]["referrals"]
    assert _values(referrals, 8) == [1, 0, 0, 0, 0] and _values(referrals, 7) == [1, 0, 0, 0, 1]
    assert referrals.grand.value == 3
