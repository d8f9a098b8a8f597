"""The demo seeder: fictitious models, targets, budget lines and a cycle with reports in several states."""

from sqlalchemy import func, select

from app.extensions import db


def test_the_demo_seeds_models_targets_budget_and_reports_once(app, make_user):
    make_user("district_reviewer", "099", username="huyen.hoi")
    make_user("reporter", "03295", username="baocao.quaito")
    from app.indicators import demo
    from app.indicators.models import BudgetLine, RegistryEntry, Submission

    with app.test_request_context():
        demo.seed()
        db.session.commit()
        demo.seed()  # a second run adds nothing
        db.session.commit()
        # 5 models in each of 6 communes, and the trusted addresses of the unit tree (CT4 counts them)
        addresses = db.session.scalar(
            select(func.count()).select_from(RegistryEntry).where(RegistryEntry.kind == "trusted_address")
        )
        assert addresses >= 2 and db.session.scalar(select(func.count()).select_from(RegistryEntry)) == 30 + addresses
        assert all("demo)" in e.name for e in db.session.scalars(select(RegistryEntry)))
        from app.indicators.models import ReportingCycle

        statuses = {
            (c.year, c.round): sorted(
                s.status for s in db.session.scalars(select(Submission).where(Submission.cycle_id == c.id))
            )
            for c in db.session.scalars(select(ReportingCycle))
        }
        assert statuses == {
            (2025, "preliminary"): ["confirmed", "draft", "returned", "submitted"],
            (2024, "update"): ["confirmed", "confirmed", "confirmed"],
        }  # the district's to start
        assert db.session.scalar(select(func.count()).select_from(BudgetLine)) == 2


def test_seed_demo_prints_the_district_officer_and_the_province_reviewer(app, client, login):
    """`make run` prints the demo logins: among them the district officer who fills the district's report and
    the province Women's Union reviewer who confirms it (and the reports of the 2025 communes)."""
    import re
    from types import SimpleNamespace

    from app.auth.models import User

    with app.app_context():  # as `flask --app wsgi seed-demo` runs it (FlaskGroup pushes one)
        result = app.test_cli_runner().invoke(args=["seed-demo", "--cases", "2"], catch_exceptions=False)
        db.session.remove()
    assert result.exit_code == 0, result.output
    printed = {m[1]: (m[0], m[2]) for m in re.findall(r"^\s+(\S+)\s+(\S+)\s+(\S+)$", result.output, re.M)}
    assert printed["tinh.hoi"][0] == "district_reviewer" and printed["baocao.huyen"][0] == "reporter"
    with app.app_context():
        roles = {
            u.username: [(r.role, r.unit.code) for r in u.roles]
            for u in db.session.scalars(select(User).where(User.username.in_(("tinh.hoi", "baocao.huyen"))))
        }
    assert roles == {"tinh.hoi": [("district_reviewer", "11")], "baocao.huyen": [("reporter", "099")]}
    login(client, SimpleNamespace(username="tinh.hoi", password=printed["tinh.hoi"][1]))
    assert "Báo cáo của huyện gửi tỉnh" in client.get("/indicators/reports").get_data(as_text=True)
    client.post("/auth/logout")
    from app.indicators.models import ReportingCycle

    with app.app_context():
        cycle_id = db.session.scalar(select(ReportingCycle.id).where(ReportingCycle.year == 2024))
    login(client, SimpleNamespace(username="baocao.huyen", password=printed["baocao.huyen"][1]))
    html = client.get(f"/indicators/reports?cycle={cycle_id}").get_data(as_text=True)
    district = html.split('id="district-reports"', 1)[1].split("</table>", 1)[0]
    assert "Huyện Tuần Giáo" in district and "Lập báo cáo" in district  # ready to start, from 3 confirmed
