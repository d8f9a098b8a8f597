"""Every role is shown only the indicator links it may open: following every link of the indicator pages
never answers 403 or 404 (a counsellor used to see report links that answered 404)."""

from urllib.parse import urlsplit

import pytest
from indicators_helpers import in_force, sent_report, unit
from matrix_world import Page

from app.extensions import db

ROLES = (
    ("counsellor", "TA-02"),
    ("monitor", "11"),
    ("reporter", "03295"),
    ("reporter", "099"),
    ("district_reviewer", "099"),
    ("district_reviewer", "11"),
)


@pytest.fixture
def reports(app):
    """A 2024 round: Quài Tở confirmed, Mường Mùn sent, and the district's report started."""
    from app.indicators import services

    with app.test_request_context():
        with in_force():  # written while the 2022 plan was in force; archived since
            cycle = services.open_cycle(2024, "preliminary", actor="test")
            sent_report(cycle, "03295", confirm_by="reviewer")
            sent_report(cycle, "03268")
            services.start_submission(cycle, unit("099"), actor="test")
        db.session.commit()
        return cycle.id


def _crawl(client, starts, limit=80):
    seen, queue, answers = set(), list(starts), {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        answers[url] = response.status_code
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        for link in Page(response.get_data(as_text=True), url).links:
            parts = urlsplit(link)
            if parts.path.startswith("/indicators/") and not parts.path.endswith(".xlsx") and link not in seen:
                queue.append(link)
    return answers


@pytest.mark.parametrize(("role", "unit_code"), ROLES)
def test_every_indicator_link_a_role_sees_opens(app, client, make_user, login, reports, role, unit_code):
    login(client, make_user(role, unit_code))
    answers = _crawl(client, ["/indicators/", f"/indicators/reports?cycle={reports}", "/indicators/reports"])
    broken = {url: status for url, status in answers.items() if status >= 400}
    assert not broken, f"{role} at {unit_code} is shown links that answer: {broken}"
    opened = [u for u in answers if u.startswith("/indicators/submissions/")]
    if role in ("counsellor", "monitor"):
        assert not opened  # they see where the reports stand, never the reports
    else:
        assert opened, f"{role} at {unit_code} should reach a report"
