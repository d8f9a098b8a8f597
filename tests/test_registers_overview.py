"""The registers' overview for the monitor and the roles above the commune: a commune's small counts (1 to 4,
below the statistics' threshold) read "<5", the money of hidden payments "x"; the commune's own reporter reads
them in clear."""

import re

from markup_support import unlabelled
from registers_support import event, payment

from app.extensions import db


def _row(html: str, name: str) -> list[str]:
    row = re.search(r"<tr><t[dh]>" + re.escape(name) + r"</t[dh]>(.*?)</tr>", unlabelled(html), re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]


def _seed(app):
    with app.test_request_context():
        # Quài Tở: 1 mother supported, 2 payments, 3 dialogues among 4 events, 4 participants of whom 2 women.
        payment(voucher="1")
        payment(voucher="2", package="postnatal", amount=300_000)
        for n, kind in enumerate(("policy_dialogue", "policy_dialogue", "policy_dialogue", "communication")):
            woman = n < 2
            event(kind=kind, participants=1, female=int(woman), male=int(not woman), by_ethnicity={"03": 1})
        # Mường Mùn: 6 of each, 60 participants, 30 women.
        for n in range(6):
            payment("03268", voucher=str(n), amount=1_000_000)
            event("03268", participants=10, female=5, male=5, by_ethnicity={"03": 10})
        db.session.commit()


def test_small_counts_are_suppressed_for_the_monitor_and_the_reviewer(app, client, make_user, login):
    _seed(app)
    for role in ("monitor", "district_reviewer"):
        viewer = app.test_client()
        login(viewer, make_user(role, "11"))
        html = viewer.get("/registers/?year=2026").get_data(as_text=True)
        # columns: mothers, payments, amount, events, dialogues, participants, women
        assert _row(html, "Xã Quài Tở") == ["&lt;5", "&lt;5", "x", "&lt;5", "&lt;5", "&lt;5", "&lt;5"], role
        assert "1.500.000" not in html  # Quài Tở's money, hidden with its two payments
        assert _row(html, "Xã Mường Mùn") == ["6", "6", "6.000.000 đ", "6", "6", "60", "30"], role
        assert _row(html, "Tổng") == ["7", "8", "7.500.000 đ", "10", "9", "64", "32"], role
        assert "được ẩn để không nhận ra người được hỗ trợ" in html


def test_the_communes_reporter_reads_its_own_counts_in_clear(app, client, make_user, login):
    _seed(app)
    login(client, make_user("reporter", "2025-03295"))  # the commune since the 2025 reform, old Quài Tở merged in
    html = client.get("/registers/?year=2026").get_data(as_text=True)
    assert _row(html, "Xã Quài Tở") == ["1", "2", "1.500.000 đ", "4", "3", "4", "2"]
    assert "&lt;5" not in html and "Xã Mường Mùn" not in html
