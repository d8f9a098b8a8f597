"""Every endpoint carries a permission decision; only an explicit list is public; anonymous GETs go to login."""

import re
import uuid

PUBLIC = {
    "auth.login",
    "web.healthz",
    "static",
    "assets.static_file",
    "auth.quick_exit",
    "web.set_language",
    "web.neutral",
    "web.home",
    "web.favicon",
    "offline.service_worker",  # the offline shell's worker script: code, no data; the browser re-checks it signed out
    "auth.setup",  # the one-time link: its owner is not signed in; the token (hashed, single use) is the key
}
# The second-factor stage (password given, code pending) is its own decision, not public.
SECOND_FACTOR = {"auth.totp", "auth.totp_setup"}


def _views(app):
    return {rule.endpoint: app.view_functions[rule.endpoint] for rule in app.url_map.iter_rules()}


def test_every_endpoint_declares_a_permission(app):
    missing = [e for e, view in _views(app).items() if e != "static" and not hasattr(view, "_permission")]
    assert not missing, f"endpoints without a permission decision: {missing}"


def test_only_the_explicit_list_is_public(app):
    public = {e for e, view in _views(app).items() if getattr(view, "_permission", None) == "public"}
    assert public - PUBLIC == set(), f"unexpected public endpoints: {public - PUBLIC}"


def _fill(rule):
    def sub(match):
        conv = match.group(1) or ""
        return str(uuid.uuid4()) if conv.startswith("uuid") else ("1" if conv.startswith("int") else "x")

    return re.sub(r"<(?:([a-z]+)(?:\([^)]*\))?:)?[a-z_]+>", sub, rule.rule)


def _private_get_rules(app):
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint not in PUBLIC and rule.endpoint != "static":
            out.append(rule)
    return out


def test_anonymous_get_of_every_private_route_redirects_to_login(app):
    client = app.test_client()
    rules = _private_get_rules(app)
    assert len(rules) > 10
    bad = []
    for rule in rules:
        url = _fill(rule)
        response = client.get(url)
        if response.status_code != 302 or "/auth/login" not in response.location:
            bad.append((url, response.status_code, response.location))
    assert not bad, bad


def test_permission_decorator_refuses_and_audits_a_non_admin(client, make_user, login, app):
    import sqlalchemy as sa

    from app.audit.models import AuditEntry
    from app.extensions import db

    user = make_user("counsellor", "03253")
    login(client, user)
    assert client.get("/admin/users").status_code == 403
    with app.app_context():
        denied = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.result == "denied")).all()
        assert any(e.actor_id == user.id for e in denied)
        db.session.remove()
