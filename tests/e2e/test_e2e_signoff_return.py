"""Journey: a supervisor opens, from its list of sign-offs waiting, the high-risk safety plan it is asked to sign
(one tap, the section opened), returns it without a reason (refused beside the field), then with one; the
counsellor reads that reason on the case page and its timeline. At desktop size and at 360 px."""

from datetime import date

import pytest
from e2e_support import check_page, go_nav, open_section, sign_in, sign_out
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

REASON = "Chưa có nơi tạm lánh dự phòng khi chồng về bản: hỏi nhà chị gái"


def _high_risk_case(server, counsellor_id: str, plan: str) -> tuple[str, str]:
    """A high-risk case at TA-02 with its safety plan, through the intake service: (id, code)."""

    def make():
        from app.auth.models import User
        from app.cases.services import create_case
        from app.extensions import db
        from app.units.queries import by_code

        data = {
            "kind": "dv",
            "unit_id": by_code("TA-02").id,
            "sex": "female",
            "age_band": "30_44",
            "ethnic_code": "03",
            "poverty_status": "poor",
            "risk_level": "high",
            "opened_on": date(2026, 3, 2),
            "full_name": "Lò Thị Duyệt",
            "safety_plan": plan,
        }
        case = create_case(data, actor=db.session.get(User, counsellor_id))
        db.session.commit()
        return case.id, case.code

    return server.query(make)


def test_the_supervisor_opens_the_plan_returns_it_with_a_reason_and_the_counsellor_reads_it(page, server, device, shot):
    if "supervision.index" not in server.app.view_functions:
        pytest.skip("the supervision pages are not built")
    counsellor = server.make_user("counsellor", "TA-02")
    supervisor = server.make_user("supervisor", "03295")
    plan = f"Tạm lánh ở nhà văn hoá bản ({device})"
    case_id, code = _high_risk_case(server, counsellor.id, plan)

    sign_in(page, server, supervisor)
    go_nav(page, "Giám sát ca")
    item = page.locator("#signoffs-waiting li").filter(has_text=code)
    check_page(page, device, "supervision")
    shot(page, "waiting")
    item.get_by_role("link", name=f"Xem kế hoạch an toàn {code}").click()  # one tap to what is to be signed
    expect(page).to_have_url(f"{server.url}/cases/{case_id}#case-narrative")
    narrative = page.locator("#case-narrative")
    expect(narrative.locator(".sec-toggle")).to_have_attribute("aria-expanded", "true")
    expect(narrative.get_by_text(plan)).to_be_visible()
    shot(page, "plan-opened")

    open_section(page, "case-signoff")
    panel = page.locator("#case-signoff")
    panel.get_by_role("button", name="Trả lại cho tư vấn viên").click()  # no reason: refused beside the field
    expect(page.locator("#signoff-reason-error")).to_contain_text("Vui lòng ghi rõ lý do trả lại")
    expect(page.locator("#signoff-reason")).to_be_focused()
    check_page(page, device, "sign-off refused")
    shot(page, "reason-missing")
    page.locator("#signoff-reason").fill(REASON)
    page.locator("#case-signoff").get_by_role("button", name="Trả lại cho tư vấn viên").click()
    expect(page.get_by_text("Đã trả lại cho tư vấn viên.")).to_be_visible()
    assert REASON not in page.url
    sign_out(page)

    sign_in(page, server, counsellor)
    page.goto(f"{server.url}/cases/{case_id}")
    open_section(page, "case-signoff")
    panel = page.locator("#case-signoff")
    expect(panel.get_by_text("Chờ tư vấn viên sửa")).to_be_visible()
    expect(panel.get_by_text(REASON)).to_be_visible()
    open_section(page, "case-timeline")
    expect(page.locator("#case-timeline").get_by_text(REASON)).to_be_visible()
    check_page(page, device, "returned, counsellor")
    shot(page, "counsellor-reads-reason")
