"""Synthetic, clearly fictitious indicator data: models in the registry, commune targets, budget lines, a
reporting cycle with a few reports in different states, and a 2024 round whose confirmed commune reports the
district's report starts from. Model names say "(demo)"; no person data."""

import random
from contextlib import contextmanager
from datetime import date

from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from ..units.models import Unit
from ..units.queries import by_code
from . import services
from .models import IndicatorDef, RegistryEntry

DEMO_COMMUNES = ("03295", "03268", "03271", "03298", "03253", "03289")
KINDS = ("communication_team", "communication_team", "savings_group", "leaders_of_change_club", "livelihood_group")


def seed() -> None:
    """Seed once: skipped when the registry already holds demo models."""
    if db.session.scalar(select(RegistryEntry.id).limit(1)):
        return
    rng = random.Random(8)  # noqa: S311 - demo figures, not secrets
    actor = db.session.scalar(select(User).where(User.username == "huyen.hoi")) or "seed-demo"
    reporter = db.session.scalar(select(User).where(User.username == "baocao.quaito")) or "seed-demo"
    communes = [u for u in (by_code(c) for c in DEMO_COMMUNES) if u is not None]
    _registry(communes, rng, reporter)
    _trusted_addresses(communes, reporter)
    with _history_of(services.plan()):
        _targets(communes, actor)
        _budget(actor)
        _reports(communes, rng, reporter, actor)
        _district_round(communes, rng, reporter, actor)


@contextmanager
def _history_of(plan):
    """The demo's 2023–2025 figures are written as they were then, with the 2022 plan in force; it is archived
    again at once (the services refuse every change to an archived plan). Demo data only: never in production."""
    status = plan.status
    plan.status = "active"
    db.session.flush()
    try:
        yield
    finally:
        plan.status = status
        db.session.flush()


def _registry(communes, rng, actor) -> None:
    for commune in communes:
        for number, kind in enumerate(KINDS, start=1):
            total = rng.randint(8, 30)
            women = rng.randint(total // 2, total)
            savings = kind == "savings_group"
            services.save_registry_entry(
                None,
                commune,
                {
                    "kind": kind,
                    "name": f"Mô hình số {number} {commune.name} (demo)",
                    "decision_number": f"{rng.randint(10, 99)}/QĐ-UBND",
                    "founded_on": date(2023, rng.randint(1, 12), 1),
                    "status": "active",
                    "ended_on": None,
                    "members_total": total,
                    "members_women": women,
                    "members_ethnic_minority": rng.randint(total // 2, total),
                    "members_linked_finance": rng.randint(0, total // 4) if savings else 0,
                    "members_livelihood": rng.randint(0, total // 4) if savings else 0,
                    "applies_gals": savings and number % 2 == 1,
                    "meetings_held": rng.randint(2, 12),
                },
                actor=actor,
            )


def _trusted_addresses(communes, actor) -> None:
    """Each trusted address of the unit tree (TA-02 in Quài Tở…) is a model CT4 counts: put it in the registry
    of its commune, so the indicator and the cases it supports tell the same story."""
    for commune in communes:
        for address in db.session.scalars(
            select(Unit).where(Unit.parent_id == commune.id, Unit.kind == "trusted_address")
        ):
            services.save_registry_entry(
                None,
                commune,
                {
                    "kind": "trusted_address",
                    "name": f"{address.name} ({address.code}, demo)",
                    "decision_number": "",
                    "founded_on": address.valid_from or date(2023, 1, 1),
                    "status": "active",
                    "ended_on": None,
                    "members_total": 0,
                    "members_women": 0,
                    "members_ethnic_minority": 0,
                    "members_linked_finance": 0,
                    "members_livelihood": 0,
                    "applies_gals": False,
                    "meetings_held": 0,
                    "address_unit_id": address.id,
                },
                actor=actor,
            )


def _targets(communes, actor) -> None:
    the_plan = services.plan()
    if the_plan is None:
        return  # `setup` loads the 2022 plan; without it there is nothing to set targets for (as _budget)
    ct1 = db.session.scalar(select(IndicatorDef).where(IndicatorDef.code == "CT1", IndicatorDef.plan_id == the_plan.id))
    if ct1 is None:
        return
    for commune in communes:
        services.set_target(ct1, commune, None, 4, actor=actor)


def _budget(actor) -> None:
    district = by_code("099")
    if district is None:
        return
    for year, planned, allocated, disbursed in (
        (2023, 2_400_000_000, 2_200_000_000, 1_900_000_000),
        (2024, 2_600_000_000, 2_500_000_000, 1_750_000_000),
    ):
        services.save_budget_line(
            None,
            district,
            {
                "component": "II",
                "activity_code": "II.4",
                "year": year,
                "source": "central",
                "planned": planned,
                "allocated": allocated,
                "disbursed": disbursed,
                "note": "demo",
            },
            actor=actor,
        )


def _values(cycle, rng) -> dict:
    typed = [
        i
        for i in db.session.scalars(select(IndicatorDef).where(IndicatorDef.plan_id == cycle.plan_id))
        if not i.derived
    ]
    values: dict[tuple[str, str], tuple[int, int | None, dict]] = {}
    for ind in typed:
        for kind in services.required_kinds(cycle):
            value = rng.randint(1, 6)
            values[(ind.id, kind)] = (value, value + rng.randint(0, 4) if ind.is_percent else None, {})
    return values


def _reports(communes, rng, reporter, reviewer) -> None:
    cycle = services.open_cycle(2025, "preliminary", actor=reviewer)
    for position, commune in enumerate(communes[:4]):
        sub = services.start_submission(cycle, commune, actor=reporter)
        services.save_draft(
            sub,
            _values(cycle, rng),
            {"results": "Kết quả minh họa (demo).", "difficulties": "", "recommendations": ""},
            actor=reporter,
        )
        if position >= 1:
            services.submit(sub, actor=reporter)
        if position == 2:
            services.return_submission(sub, "Số liệu minh họa cần kiểm tra lại (demo).", actor=reviewer)
        if position == 3:
            services.confirm(sub, actor=reviewer)


def _district_round(communes, rng, reporter, reviewer) -> None:
    """The 2024 update, before the reform: three communes' reports confirmed, so that the district officer
    (baocao.huyen) can open the district's report prefilled from them and send it to the province (tinh.hoi)."""
    cycle = services.open_cycle(2024, "update", actor=reviewer)
    for commune in communes[:3]:
        sub = services.start_submission(cycle, commune, actor=reporter)
        services.save_draft(
            sub,
            _values(cycle, rng),
            {"results": "Kết quả năm 2024 (demo).", "difficulties": "", "recommendations": ""},
            actor=reporter,
        )
        services.submit(sub, actor=reporter)
        services.confirm(sub, actor=reviewer)
