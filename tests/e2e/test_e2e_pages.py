"""Every page each role can reach (by following links from its start page, demo data loaded): it loads without
error, passes axe-core, fits a phone, and weighs at most 60 KB compressed with its CSS and JS."""

import json

import pytest
from e2e_support import ARTIFACTS, ROLES, check_page, check_phone, crawl, page_shape, page_weight, sign_in

pytestmark = pytest.mark.e2e

MAX_PAGE_GZ = 60_000  # bytes on the wire for HTML + CSS + JS + icons, gzipped as nginx sends them
# Links a role is shown but may not follow (reported to the area's engineer); remove once fixed.
KNOWN_BROKEN: dict[tuple[str, str], str] = {}  # (role, page shape) -> why; empty: every link a role sees opens


@pytest.mark.parametrize("role", ROLES)
def test_every_reachable_page(page, demo, device, role):
    user = demo.cast.get(role)
    if user is None:
        pytest.skip(f"no demo user for {role}")
    sign_in(page, demo, user)
    visited = {}
    for path, response in crawl(page, demo, per_shape=1):
        if (role, page_shape(path)) in KNOWN_BROKEN:
            continue
        assert response is not None and response.status < 400, f"{role}: {path} answered {response.status}"
        if device == "phone":
            check_phone(page, device)  # axe runs on the desktop pass (same markup)
        else:
            check_page(page, device, f"{role} {page_shape(path)}")
        if device == "desktop":
            weight = page_weight(page, response)
            visited[page_shape(path)] = weight
            assert weight["total_gz"] <= MAX_PAGE_GZ, f"{path} weighs {weight['total_gz']} bytes gzipped"
        else:
            visited[page_shape(path)] = None
    assert len(visited) >= 2, f"{role} reached only {list(visited)}"
    if device == "desktop":
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"weights-{role}.json").write_text(json.dumps(visited, indent=1, ensure_ascii=False))


def test_login_page_weight(page, server, device):
    response = page.goto(server.url + "/auth/login")
    check_page(page, device, "login")
    weight = page_weight(page, response)
    assert weight["total_gz"] <= MAX_PAGE_GZ
    if device == "desktop":
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "weights-anonymous.json").write_text(json.dumps({"/auth/login": weight}, indent=1))
