"""Helpers for the indicator tests (import from here, never from conftest)."""

import re
from contextlib import contextmanager
from datetime import date

from markup_support import unlabelled
from sqlalchemy import select

from app.extensions import db


def indicator(code: str, plan=None):
    """The indicator `code` of `plan` (by default the plan of this year: the 2022 plan until a later one exists)."""
    from app.indicators import plans
    from app.indicators.models import IndicatorDef

    plan = plan or plans.current()
    return db.session.scalar(select(IndicatorDef).where(IndicatorDef.code == code, IndicatorDef.plan_id == plan.id))


def unit(code: str):
    from app.units.queries import by_code

    found = by_code(code)
    assert found is not None, code
    return found


def user(user_id: str):
    from app.auth.models import User

    return db.session.get(User, user_id)


def registry_entry(
    commune_code: str,
    kind: str = "communication_team",
    *,
    actor="test",
    founded_on=date(2023, 3, 1),
    status="active",
    ended_on=None,
    total=10,
    women=6,
    linked=0,
    livelihood=0,
    gals=False,
    name=None,
):
    from app.indicators import services

    address = _free_address(commune_code) if kind == "trusted_address" else None
    return services.save_registry_entry(
        None,
        unit(commune_code),
        {
            "kind": kind,
            "name": name or f"Mô hình thử {kind} {commune_code}",
            "decision_number": "12/QĐ-UBND",
            "founded_on": founded_on,
            "status": status,
            "ended_on": ended_on,
            "members_total": total,
            "members_women": women,
            "members_ethnic_minority": women,
            "members_linked_finance": linked,
            "members_livelihood": livelihood,
            "applies_gals": gals,
            "meetings_held": 4,
            "address_unit_id": address,
        },
        actor=actor,
    )


def _free_address(commune_code: str) -> str | None:
    """A trusted address (unit) of the commune not yet in the registry: the one a trusted address model is."""
    from app.indicators.models import RegistryEntry
    from app.units.models import Unit
    from app.units.queries import scope_ids

    taken = select(RegistryEntry.address_unit_id).where(RegistryEntry.address_unit_id.is_not(None))
    return db.session.scalar(
        select(Unit.id)
        .where(Unit.id.in_(list(scope_ids(unit(commune_code)))), Unit.kind == "trusted_address", Unit.id.not_in(taken))
        .order_by(Unit.code)
        .limit(1)
    )


def full_report_form(cycle, *, value=5, denominator=8) -> dict:
    """A valid set of inputs for every typed indicator of the cycle."""
    from app.indicators import queries, services

    form = {"results": "Kết quả thử nghiệm", "difficulties": "Khó khăn thử nghiệm", "recommendations": "Đề xuất"}
    for ind in queries.indicators():
        if ind.derived:
            continue
        for kind in services.required_kinds(cycle):
            prefix = f"{ind.code.replace('.', '_')}-{kind}"
            form[f"{prefix}-value"] = str(value)
            if ind.is_percent:
                form[f"{prefix}-denominator"] = str(denominator)
    return form


def make_case(counsellor, unit_code: str, *, kind="dv", opened_on=date(2026, 2, 1), n: int = 0):
    """A fictitious case through the case services (summary tier is what the indicators count)."""
    from app.cases import services

    return services.create_case(
        {
            "kind": kind,
            "unit_id": unit(unit_code).id,
            "sex": "female",
            "age_band": "30_44",
            "ethnic_code": "03",
            "disability": False,
            "poverty_status": "poor",
            "risk_level": "medium",
            "opened_on": opened_on,
            "full_name": f"Người Thử Nghiệm {n}",
            "birth_year": 1990,
        },
        actor=counsellor,
    )


def typed_values(cycle, *, value=5, denominator=8, breakdown=None) -> dict:
    """{(indicator_id, kind): (value, denominator, breakdown)} for every typed indicator of the cycle."""
    from app.indicators import queries, services

    return {
        (ind.id, kind): (value, denominator if ind.is_percent else None, dict(breakdown or {}))
        for ind in queries.indicators()
        if not ind.derived
        for kind in services.required_kinds(cycle)
    }


def sent_report(cycle, commune_code: str, *, value=5, denominator=8, confirm_by=None, actor="test"):
    """A commune's report of the cycle, filled with `value` everywhere and sent (and confirmed by `confirm_by`)."""
    from app.indicators import services

    sub = services.start_submission(cycle, unit(commune_code), actor=actor)
    services.save_draft(
        sub,
        typed_values(cycle, value=value, denominator=denominator),
        {"results": f"Kết quả của {commune_code}"},
        actor=actor,
    )
    services.submit(sub, actor=actor)
    if confirm_by is not None:
        services.confirm(sub, actor=confirm_by)
    return sub


def dashboard_rows(html: str, code: str) -> dict:
    """{unit name: (target, achieved, rate)} of one indicator's table on the dashboard, as shown."""
    section = unlabelled(html).split(f'id="ind-{code.replace(".", "-")}"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(
        r"<tr><td>(?:<a [^>]*>|<strong>)([^<]+)(?:</a>|</strong>)</td>\s*"
        r'<td class="right">([^<]*)</td>\s*<td class="right">([^<]*)</td>\s*'
        r'<td class="right">([^<]*)</td></tr>',
        section,
    )
    return {name: (target, achieved, rate) for name, target, achieved, rate in rows}


def active_plan(start: int = 2026, end: int = 2030, *, actor="test", activate: bool = True, middle_level=None):
    """A province plan for start..end, copied from the 2022 plan (its indicators, cycles, activities, envelope and
    the targets of units that still exist), active unless `activate` is False. Call inside an app context and
    commit."""
    from app.indicators import plans

    source = plans.reference()
    plan = plans.create_plan(
        {
            "title": f"Kế hoạch thử {start}–{end}",
            "programme": source.programme,
            "phase_start": start,
            "phase_end": end,
            "budget_total": source.budget_total,
            "budget_source_text": source.budget_source_text,
            "middle_level": middle_level,
        },
        actor=actor,
        owner=unit("11"),
        copy_from=source,
    )
    if activate:
        plans.activate(plan, actor=actor)
    return plan


@contextmanager
def in_force(plan=None):
    """Write the 2021–2025 history as it happened, with the 2022 plan (or `plan`) in force while the block runs;
    archived again after it, as `setup` leaves it (the services refuse every change to an archived plan)."""
    from app.indicators import plans

    plan = plan or plans.reference()
    plan.status = "active"
    db.session.flush()
    try:
        yield plan
    finally:
        plan.status = "archived"
        db.session.flush()
