"""The supervisor: sees its counsellors' caseload (read-only), signs off a high-risk case's safety plan (again
after any change) and its closure; each sign-off is in the work queue until given and on the timeline."""

from test_cases_support import INTAKE, audit_actions

from app.extensions import db


def _needed(app, case_id):
    from app.cases.models import Case
    from app.supervision.services import needed

    with app.app_context():
        kinds = needed(db.session.get(Case, case_id))
        db.session.remove()
    return kinds


def _version(app, case_id):
    from app.cases.models import Case

    with app.app_context():
        version = db.session.get(Case, case_id).version
        db.session.remove()
    return version


def test_the_supervisor_reads_the_caseload_and_signs_off_high_risk_plans_and_closures(
    app, client, case_id, make_user, login, unit
):
    supervisor = app.test_client()
    login(supervisor, make_user("supervisor", "03295"))
    assert case_id in supervisor.get("/cases/").get_data(as_text=True)
    page = supervisor.get(f"/cases/{case_id}").get_data(as_text=True)
    assert page.count("Lò Thị Mai") >= 1 and 'id="case-signoff"' in page  # read-only, audited like any read
    assert supervisor.get(f"/cases/{case_id}/edit").status_code in (403, 404)
    caseload = supervisor.get("/supervision/").get_data(as_text=True)
    assert "Ký duyệt kế hoạch an toàn" in caseload and case_id in caseload
    assert f"/cases/{case_id}#case-signoff" in supervisor.get("/work/").get_data(as_text=True)

    assert _needed(app, case_id) == ["safety_plan"]
    assert (
        supervisor.post(
            f"/supervision/case/{case_id}/sign-off", data={"kind": "safety_plan", "decision": "approved"}
        ).status_code
        == 303
    )
    assert _needed(app, case_id) == []
    assert f"/cases/{case_id}#case-signoff" not in supervisor.get("/work/").get_data(as_text=True)
    twice = supervisor.post(
        f"/supervision/case/{case_id}/sign-off",
        data={"kind": "safety_plan", "decision": "approved"},
        follow_redirects=True,
    )
    assert "không chờ ký duyệt" in twice.get_data(as_text=True)

    edited = client.post(
        f"/cases/{case_id}/edit",
        data=dict(
            INTAKE, unit_id=unit("TA-02").id, version=str(_version(app, case_id)), safety_plan="Kế hoạch an toàn mới"
        ),
    )
    assert edited.status_code == 303
    assert _needed(app, case_id) == ["safety_plan"]  # a changed high-risk case is signed off again

    assert client.post(f"/cases/{case_id}/close", data={"close-reason": "goals_met"}).status_code in (302, 303)
    assert _needed(app, case_id) == ["closure"]
    assert (
        supervisor.post(
            f"/supervision/case/{case_id}/sign-off", data={"kind": "closure", "decision": "approved"}
        ).status_code
        == 303
    )
    assert _needed(app, case_id) == []
    actions = [a for a, _, _ in audit_actions(app, case_id)]
    assert "supervision.safety_plan_approved" in actions and "supervision.closure_approved" in actions
    timeline = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Giám sát viên duyệt việc đóng hồ sơ" in timeline


def test_a_supervisor_elsewhere_neither_reads_nor_signs(app, case_id, make_user, login):
    other = app.test_client()
    login(other, make_user("supervisor", "03268"))
    assert other.get(f"/cases/{case_id}").status_code == 404
    assert (
        other.post(
            f"/supervision/case/{case_id}/sign-off", data={"kind": "safety_plan", "decision": "approved"}
        ).status_code
        == 404
    )
    assert _needed(app, case_id) == ["safety_plan"]


def test_a_returned_plan_waits_on_the_counsellor_not_the_supervisor_until_it_is_saved_again(
    app, client, case_id, make_user, login, unit
):
    """Returning used to leave the plan "waiting for sign-off" with both buttons, in the supervisor's queue, and
    told the counsellor nothing: now the return hands it to the counsellor (panel and work queue) until the
    case is saved again, which asks the supervisor anew."""
    supervisor = app.test_client()
    login(supervisor, make_user("supervisor", "03295"))
    assert (
        supervisor.post(
            f"/supervision/case/{case_id}/sign-off",
            data={"kind": "safety_plan", "decision": "returned", "signoff-reason": "Chưa có nơi tạm lánh dự phòng"},
        ).status_code
        == 303
    )
    assert _needed(app, case_id) == []
    assert f"/cases/{case_id}#case-signoff" not in supervisor.get("/work/").get_data(as_text=True)
    panel = supervisor.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Chờ tư vấn viên sửa" in panel and 'name="decision" value="approved"' not in panel

    queue = client.get("/work/").get_data(as_text=True)  # the counsellor's turn
    assert f"/cases/{case_id}#case-signoff" in queue and "Giám sát viên trả lại kế hoạch an toàn" in queue
    assert "Chờ tư vấn viên sửa" in client.get(f"/cases/{case_id}").get_data(as_text=True)

    edited = client.post(
        f"/cases/{case_id}/edit",
        data=dict(INTAKE, unit_id=unit("TA-02").id, version=str(_version(app, case_id)), safety_plan="Kế hoạch đã sửa"),
    )
    assert edited.status_code == 303
    assert _needed(app, case_id) == ["safety_plan"]  # the revised plan goes back to the supervisor
    assert "Giám sát viên trả lại kế hoạch an toàn" not in client.get("/work/").get_data(as_text=True)
    assert f"/cases/{case_id}#case-signoff" in supervisor.get("/work/").get_data(as_text=True)


def test_whoever_wrote_the_plan_or_closed_the_case_cannot_sign_it_off_with_a_supervisor_role(
    app, client, counsellor, case_id, make_user, login
):
    """The sign-off is the second person's: a counsellor of TA-02 who also holds a supervisor role at its commune
    (one person, two roles) wrote the high-risk plan and may not approve it, nor the closure it made; another
    supervisor may. The refusal is said in Vietnamese and audited."""
    from app.auth import services as auth_services
    from app.auth.models import User
    from app.units.queries import by_code

    with app.test_request_context():
        user = db.session.get(User, counsellor.id)
        auth_services.assign_role(user, "supervisor", by_code("03295"), actor="test", approved=True)
        db.session.commit()
        db.session.remove()
    login(client, counsellor)  # the role given ended the session
    url = f"/supervision/case/{case_id}/sign-off"
    own = client.post(url, data={"kind": "safety_plan", "decision": "approved"}, follow_redirects=True)
    assert "không tự ký duyệt" in own.get_data(as_text=True) and _needed(app, case_id) == ["safety_plan"]
    refused = [(a, r) for a, r, _ in audit_actions(app, case_id) if a == "supervision.safety_plan_approved"]
    assert refused == [("supervision.safety_plan_approved", "refused")]

    other = app.test_client()
    login(other, make_user("supervisor", "03295"))
    assert other.post(url, data={"kind": "safety_plan", "decision": "approved"}).status_code == 303
    assert _needed(app, case_id) == []

    assert client.post(f"/cases/{case_id}/close", data={"close-reason": "goals_met"}).status_code in (302, 303)
    assert _needed(app, case_id) == ["closure"]
    own = client.post(url, data={"kind": "closure", "decision": "approved"}, follow_redirects=True)
    assert "không tự ký duyệt" in own.get_data(as_text=True) and _needed(app, case_id) == ["closure"]
    assert other.post(url, data={"kind": "closure", "decision": "approved"}).status_code == 303
    assert _needed(app, case_id) == []
