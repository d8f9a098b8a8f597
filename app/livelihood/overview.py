"""The district overview: plans by status and commune, money against the year's budget, overdue
monitoring, outcomes at 6 and 12 months; and its Excel export. Only plain columns are read here."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from io import BytesIO

from flask_babel import gettext as _
from sqlalchemy import select

from .. import clock
from ..cases.models import Case
from ..extensions import db
from ..units.models import Unit
from ..units.queries import nearest_of_kind
from . import budget
from .forms import STATUS_LABELS
from .models import STATUSES, Disbursement, LivelihoodPlan, MonitoringVisit, PlanOutcome
from .queries import plans_in
from .services import VISIT_EVERY_DAYS


@dataclass
class Row:
    """One commune's figures (or the total)."""

    label: str
    by_status: dict = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    requested: int = 0
    approved: int = 0
    disbursed: int = 0
    overdue: int = 0
    outcomes_6: int = 0
    outcomes_12: int = 0
    still_active_12: int = 0

    def add(self, other: "Row") -> None:
        for status in STATUSES:
            self.by_status[status] += other.by_status[status]
        for name in ("requested", "approved", "disbursed", "overdue", "outcomes_6", "outcomes_12", "still_active_12"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Overview:
    year: int
    rows: list
    total: Row
    budgets: list  # one Budget per pool the reviewer covers
    overdue_plans: list  # (plan id, case code, commune, last visit or first disbursement)


def _commune_label(unit: Unit, cache: dict) -> str:
    if unit.id not in cache:
        commune = nearest_of_kind(unit, ("commune",))
        cache[unit.id] = commune.name if commune else unit.name
    return cache[unit.id]


def build(unit_ids, pools, year: int, today: date | None = None) -> Overview:
    """Figures for the plans of `unit_ids` whose year is `year` (approved then, or waiting/drafted then)."""
    today = today or clock.today()
    plans = [
        p for p in db.session.scalars(plans_in(unit_ids).order_by(LivelihoodPlan.created_at)) if _year_of(p) == year
    ]
    ids = [p.id for p in plans]
    paid = _sum_by_plan(Disbursement, Disbursement.amount, ids)
    last_visit = _last_visits(ids)
    outcomes = _outcomes(ids)
    cache: dict = {}
    rows: dict[str, Row] = {}
    overdue_plans = []
    for plan in plans:
        label = _commune_label(plan.case.unit, cache)
        row = rows.setdefault(label, Row(label))
        row.by_status[plan.status] += 1
        row.requested += plan.amount_requested
        row.approved += plan.amount_approved or 0
        row.disbursed += paid.get(plan.id, 0)
        if plan.status == "active":
            since = last_visit.get(plan.id) or plan.activated_on
            if since + timedelta(days=VISIT_EVERY_DAYS) < today:
                row.overdue += 1
                overdue_plans.append((plan.id, plan.case.code, label, since))
        for milestone, still_active in outcomes.get(plan.id, ()):
            if milestone == 6:
                row.outcomes_6 += 1
            else:
                row.outcomes_12 += 1
                row.still_active_12 += int(still_active)
    total = Row(_("Tổng"))
    for row in rows.values():
        total.add(row)
    return Overview(
        year,
        sorted(rows.values(), key=lambda r: r.label),
        total,
        [budget.budget_for(year, pool) for pool in pools],
        overdue_plans,
    )


def _year_of(plan: LivelihoodPlan) -> int:
    """A funded plan counts in its budget year; any other in the year it was last submitted or created."""
    if plan.budget_year:
        return plan.budget_year
    return (plan.submitted_at or plan.created_at).year


def _sum_by_plan(model, column, ids) -> dict:
    if not ids:
        return {}
    totals: dict = {}
    for plan_id, amount in db.session.execute(select(model.plan_id, column).where(model.plan_id.in_(ids))):
        totals[plan_id] = totals.get(plan_id, 0) + amount
    return totals


def _last_visits(ids) -> dict:
    last: dict = {}
    if ids:
        for plan_id, day in db.session.execute(
            select(MonitoringVisit.plan_id, MonitoringVisit.visited_on).where(MonitoringVisit.plan_id.in_(ids))
        ):
            last[plan_id] = max(day, last.get(plan_id, day))
    return last


def _outcomes(ids) -> dict:
    found: dict = {}
    if ids:
        for plan_id, milestone, active in db.session.execute(
            select(PlanOutcome.plan_id, PlanOutcome.milestone, PlanOutcome.still_active).where(
                PlanOutcome.plan_id.in_(ids)
            )
        ):
            found.setdefault(plan_id, []).append((milestone, active))
    return found


def case_codes(ids) -> dict:
    ids = list(ids)
    return (
        {cid: code for cid, code in db.session.execute(select(Case.id, Case.code).where(Case.id.in_(ids)))}
        if ids
        else {}
    )


# --- Excel ----------------------------------------------------------------------------------------


def headers() -> list[str]:
    return (
        [_("Xã")]
        + [str(STATUS_LABELS[s]) for s in STATUSES]
        + [
            _("Đề nghị (đ)"),
            _("Đã duyệt (đ)"),
            _("Đã giải ngân (đ)"),
            _("Quá hạn giám sát"),
            _("Kết quả 6 tháng"),
            _("Kết quả 12 tháng"),
            _("Còn duy trì sau 12 tháng"),
        ]
    )


def row_values(row: Row) -> list:
    return (
        [row.label]
        + [row.by_status[s] for s in STATUSES]
        + [
            row.requested,
            row.approved,
            row.disbursed,
            row.overdue,
            row.outcomes_6,
            row.outcomes_12,
            row.still_active_12,
        ]
    )


def to_excel(data: Overview) -> bytes:
    """The overview as an .xlsx workbook: the table by commune, then the budgets."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from ..web.xlsx import keep_text

    book = Workbook()
    sheet = book.active
    sheet.title = _("Sinh kế %(y)d", y=data.year)
    sheet.append([_("Tổng hợp hỗ trợ sinh kế năm %(y)d", y=data.year)])
    sheet["A1"].font = Font(bold=True)
    sheet.append([])
    sheet.append(headers())
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in data.rows:
        sheet.append(row_values(row))
    sheet.append(row_values(data.total))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.append([])
    sheet.append([_("Ngân sách"), _("Tổng (đ)"), _("Đã cam kết (đ)"), _("Còn lại (đ)"), _("Nguồn số liệu")])
    for funds in data.budgets:
        sheet.append([funds.pool.name, funds.total, funds.committed, funds.left, budget_source_label(funds.source)])
    for column in range(2, len(headers()) + 1):
        for (cell,) in sheet.iter_rows(min_row=4, min_col=column, max_col=column):
            if isinstance(cell.value, int):
                cell.number_format = "#,##0"
    sheet.column_dimensions["A"].width = 32
    out = BytesIO()
    keep_text(book)  # names and narratives typed by people never run as formulas
    book.save(out)
    return out.getvalue()


def budget_source_label(source: str) -> str:
    if source == "indicators":
        return _("Dòng ngân sách của mô-đun chỉ tiêu")
    return _("Mức trần cấu hình hằng năm (chưa có dòng ngân sách)")
