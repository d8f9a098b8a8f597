"""Small defects found by walking the demo as its users (a counsellor on a phone, an agency, a reviewer)."""

import re


def _legend(html: str, text: str) -> str:
    match = re.search(r"<legend>\s*" + re.escape(text) + r"(.*?)</legend>", html, re.S)
    assert match, f"no legend {text!r}"
    return match.group(1)


def test_the_referral_form_marks_the_services_asked_for_as_required(client, case_id):
    # Sending without a service is refused ("Vui lòng chọn ít nhất một dịch vụ đề nghị."): the form says so
    # before, with the same star as the other required fields.
    html = client.get(f"/referrals/case/{case_id}/new").get_data(as_text=True)
    assert re.search(r'class="required"', _legend(html, "Dịch vụ đề nghị"))
