"""Unicode digits ('²', '٣') pass str.isdigit() but not int(): every numeric input must refuse them cleanly."""

from app.auth.totp import matching_step


def test_totp_refuses_non_ascii_digits():
    assert matching_step("JBSWY3DPEHPK3PXP", "²²²²²²", 0) is None


def test_livelihood_overview_export_year_with_unicode_digit(client, make_user, login):
    reviewer = make_user("district_reviewer", "099")
    login(client, reviewer)
    assert client.get("/livelihood/overview?year=²").status_code == 200
    assert client.post("/livelihood/overview/export", data={"year": "²"}).status_code == 200
