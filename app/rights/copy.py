"""The survivor's copy of their case (a view/copy request): what the case holds about them, and nothing about
anyone else.

Law 91/2025/QH15 Art. 15(2)(a) (legal-2026.md §5): a copy given to the person leaves out third parties and
the reporter. So the copy is built from an allow-list of fields, never by removing fields from the whole case:
a field added to the case later stays out of the copy until someone decides it belongs there.

Left out: the perpetrator's name, identity and relation (the perpetrator appears only as "người gây bạo
lực"), the reporter and how the case reached the unit (the channel can name the reporter: "a neighbour told
us"), the guardian, the protection order's supervisor and the notes on its breaches and exception contacts,
consent witnesses, the safe-contact code word (a paper copy can be found by the very person it protects
against; the counsellor tells it in person), and every record written by or for staff rather than about the
survivor: who sent or received a referral (the services are named, never their staff), an agency's decline
reason, feedback and notes, the notes on measures, orders and entitlements, a reviewer's comments on a
livelihood plan, monitoring-visit notes, and the outcome notes of follow-ups.
In: referrals (the receiving service, dates, status, the services asked and given, which fields were shared),
protection records (incidents as the survivor's own account, measures and no-contact orders with dates and
status, support regimes), livelihood plans (activity, amounts, disbursements, status) and follow-ups (date,
purpose, status).
Free text (incident, safety plan, needs, notes, accounts, plan description) can name people too: every name,
phone and address the case records for a third party is masked wherever it appears in it (a perpetrator's as
"người gây bạo lực"), and the counsellor reads the printable page before handing it over.

One content model (`build`) feeds three renderings: the printable page, the PDF (fpdf2, DejaVu Sans: Vietnamese
needs a Unicode TTF) and the DOCX (python-docx). Files are made in memory for one download and never stored.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import clock
from ..cases import forms as case_forms
from ..cases import reference_data as case_ref
from ..cases.models import Case, CaseNote, CaseService, Consent, FollowUp
from ..directory.models import Service
from ..extensions import db
from ..livelihood import forms as livelihood_forms
from ..livelihood.models import LivelihoodPlan
from ..protection import reference_data as protection_ref
from ..protection.models import Entitlement, Incident, Measure, NoContactOrder, Perpetrator
from ..referrals import fields as referral_fields
from ..referrals import reference_data as referral_ref
from ..referrals.models import Referral
from ..web import documents
from ..web.filters import date_vn, money

MASK = "[…]"
STATUSES = {"open": _l("Đang hỗ trợ"), "closed": _l("Đã đóng")}
# The only way the copy names the person who used violence (Law 91/2025 Art. 15(2)(a): no third party).
PERPETRATOR = _l("người gây bạo lực")
REFERRAL_STATUSES = {
    "sent": _l("Đã gửi, chờ cơ quan xác nhận"),
    "acknowledged": _l("Cơ quan đã xác nhận đã nhận"),
    "accepted": _l("Cơ quan đã nhận hỗ trợ"),
    "declined": _l("Cơ quan không nhận"),
    "services_recorded": _l("Cơ quan đã hỗ trợ"),
    "completed": _l("Đã hoàn thành"),
    "withdrawn": _l("Đã rút lại"),
}
ORDER_STATUSES = {
    "requested": _l("Đang chờ quyết định"),
    "granted": _l("Đã có quyết định cấm tiếp xúc"),
    "refused": _l("Không được chấp nhận"),
}
FOLLOWUP_STATUSES = {"open": _l("Đã hẹn"), "done": _l("Đã thực hiện"), "cancelled": _l("Đã huỷ")}


# A part of the copy: rows of (label, value) and longer texts, as the shared document writer takes them.
Section = documents.Section


@dataclass
class SurvivorCopy:
    code: str
    made_on: date
    unit_name: str
    sections: list[Section]


def _labels(pairs) -> dict[str, str]:
    return {code: _(label) for code, label in pairs}


def _dv_act_labels() -> dict[str, str]:
    return {code: _(label) for acts in case_ref.DV_ACTS.values() for code, label in acts}


def _found(values) -> set[str]:
    found = {unicodedata.normalize("NFC", str(v)).strip() for v in values if v and str(v).strip()}
    # "Chồng — Quàng Văn B": the name after a dash or comma is masked on its own too.
    for name in list(found):
        found |= {part.strip() for part in re.split(r"[—–,;:()-]", name) if len(part.strip()) >= 4}
    return found


def third_party_names(case: Case) -> dict[str, str]:
    """Every name (and a perpetrator's phone and address) the case records for someone other than the survivor,
    with what replaces it in free text: "người gây bạo lực" for a perpetrator, a mark for anyone else."""
    dv = case.domestic_violence or {}
    order = dv.get("order") or {}
    others = [case.reported_by, (case.guardian or {}).get("name"), order.get("supervisor")]
    others += [c.witness for c in _consents(case)]
    perpetrators: list = [dv.get("perpetrator")]
    for person in _rows(Perpetrator, case, Perpetrator.created_at):
        perpetrators += [person.full_name, person.phone, person.address]
    masks = dict.fromkeys(_found(perpetrators), str(PERPETRATOR))
    masks.update(dict.fromkeys(_found(others), MASK))
    return masks


def mask(text, names: dict[str, str]) -> str | None:
    """`text` with every recorded third-party name replaced (case-insensitive), the longest names first."""
    if not text:
        return text
    text = unicodedata.normalize("NFC", str(text))
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(re.escape(name), names[name], text, flags=re.IGNORECASE)
    return text


def _rows(model, case: Case, order_by) -> list:
    return list(db.session.scalars(select(model).where(model.case_id == case.id).order_by(order_by)))


def _consents(case: Case) -> list[Consent]:
    return list(db.session.scalars(select(Consent).where(Consent.case_id == case.id).order_by(Consent.given_on)))


def build(case: Case) -> SurvivorCopy:
    """The copy's content: the survivor's own data by section, third parties and the reporter left out."""
    names = third_party_names(case)
    return SurvivorCopy(
        code=case.code,
        made_on=clock.today(),
        unit_name=case.unit.name,
        sections=[
            _about_you(case),
            _case_section(case, names),
            *_narrative(case, names),
            _consent_section(case),
            _service_section(case),
            _followup_section(case, names),
            *_protection_sections(case, names),
            _referral_section(case),
            *_livelihood_sections(case, names),
            _note_section(case, names),
        ],
    )


def _about_you(case: Case) -> Section:
    section = Section(_("Thông tin về bạn"))
    section.add(_("Họ và tên"), case.full_name)
    section.add(_("Tên gọi khác"), case.other_names)
    section.add(_("Ngày sinh"), date_vn(case.birth_date) if case.birth_date else None)
    section.add(_("Năm sinh"), case.birth_year if not case.birth_date else None)
    section.add(_("Giới tính"), dict(case_forms.SEX_CHOICES).get(case.sex))
    section.add(_("Dân tộc"), _labels(case_ref.ETHNIC_GROUPS).get(case.ethnic_code))
    section.add(_("Số CCCD"), case.id_number)
    section.add(_("Số điện thoại"), case.phone)
    section.add(_("Địa chỉ"), case.address_detail)
    section.add(_("Ngôn ngữ ưa dùng"), _labels(case_ref.LANGUAGES).get(case.preferred_language or ""))
    section.add(_("Cần phiên dịch"), _("Có") if case.interpreter_needed == "yes" else None)
    section.add(_("Người khuyết tật"), _("Có") if case.disability else None)
    section.add(_("Hộ nghèo, cận nghèo"), _labels(case_ref.POVERTY_STATUSES).get(case.poverty_status))
    return section


def _case_section(case: Case, names: dict[str, str]) -> Section:
    section = Section(_("Hồ sơ của bạn"))
    section.add(_("Mã hồ sơ"), case.code)
    section.add(_("Loại vụ việc"), dict(case_forms.KIND_CHOICES).get(case.kind))
    section.add(_("Nơi hỗ trợ"), case.unit.name)
    section.add(_("Ngày tiếp nhận"), date_vn(case.opened_on))
    section.add(_("Tình trạng"), STATUSES.get(case.status))
    section.add(_("Ngày đóng hồ sơ"), date_vn(case.closed_on) if case.closed_on else None)
    # Why the case was closed is the survivor's own data, so a view/copy request gives it (legal-2026.md §5); sealed
    # with the case since migration 2950.
    section.add(_("Lý do đóng hồ sơ"), _labels(case_ref.CLOSURE_REASONS).get(case.closure_reason or ""))
    section.add(_("Mức độ nguy cơ"), _labels(case_ref.RISK_LEVELS).get(case.risk_level))
    contact = case.safe_contact or {}
    channel = contact.get("channel")
    channels = dict(case_forms.CONTACT_CHANNELS)
    section.add(_("Cách liên lạc an toàn"), channels.get(channel) if channel is not None else None)
    section.add(_("Giờ liên lạc"), mask(contact.get("window"), names))
    return section


def _narrative(case: Case, names: dict[str, str]) -> list[Section]:
    sections = []
    dv = case.domestic_violence or {}
    if dv:
        section = Section(_("Bạo lực gia đình"))
        acts = _dv_act_labels()
        section.add(_("Hành vi đã ghi nhận"), "; ".join(acts.get(a, a) for a in dv.get("acts") or []))
        section.text(_("Biện pháp bảo vệ, hỗ trợ"), mask(dv.get("measures"), names))
        order = dv.get("order") or {}
        if order.get("issuer"):
            section.add(_("Quyết định cấm tiếp xúc"), dict(case_forms.ORDER_ISSUERS).get(order["issuer"]))
            section.add(_("Cấm tiếp xúc từ ngày"), _iso_vn(order.get("start")))
            section.add(_("Đến ngày"), _iso_vn(order.get("end")))
        sections.append(section)
    tr = case.trafficking or {}
    if tr:
        section = Section(_("Mua bán người"))
        status = tr.get("status")
        statuses = _labels(case_ref.TRAFFICKING_STATUSES)
        section.add(_("Tình trạng xác định nạn nhân"), statuses.get(status) if status is not None else None)
        section.add(_("Nơi bị đưa đến"), mask(tr.get("destination"), names))
        forms = _labels(case_ref.EXPLOITATION_FORMS)
        section.add(_("Hình thức bóc lột"), "; ".join(forms.get(f, f) for f in tr.get("exploitation") or []))
        section.add(_("Ngày bị đưa đi"), _iso_vn(tr.get("departure_on")))
        section.add(_("Ngày trở về"), _iso_vn(tr.get("return_on")))
        sections.append(section)
    told = Section(_("Điều đã xảy ra và kế hoạch an toàn"))
    told.text(_("Điều đã xảy ra"), mask(case.incident, names))
    told.text(_("Kế hoạch an toàn"), mask(case.safety_plan, names))
    told.text(_("Nhu cầu hỗ trợ"), mask((case.assessment or {}).get("needs"), names))
    if told.paragraphs:
        sections.append(told)
    return sections


def _consent_section(case: Case) -> Section:
    section = Section(_("Những gì bạn đã đồng ý"))
    purposes, methods = _labels(case_ref.CONSENT_PURPOSES), _labels(case_ref.CONSENT_METHODS)
    for consent in _consents(case):
        what = purposes.get(consent.purpose, consent.purpose)
        if consent.agency is not None:
            what = f"{what}: {consent.agency.name}"
        when = _("ngày %(day)s, %(how)s", day=date_vn(consent.given_on), how=methods.get(consent.method, ""))
        if consent.withdrawn_on:
            when += " · " + _("đã rút ngày %(day)s", day=date_vn(consent.withdrawn_on))
        section.add(what, when)
    return section


def _service_section(case: Case) -> Section:
    section = Section(_("Dịch vụ hỗ trợ"))
    kinds = _labels(case_ref.SERVICE_KINDS)
    for service in db.session.scalars(
        select(CaseService).where(CaseService.case_id == case.id).order_by(CaseService.created_at)
    ):
        dates = " – ".join(date_vn(d) for d in (service.start_on, service.end_on) if d)
        section.add(
            kinds.get(service.kind, service.kind),
            " · ".join(p for p in (str(dict(case_forms.SERVICE_STATUSES).get(service.status, "")), dates) if p),
        )
    return section


def _note_section(case: Case, names: dict[str, str]) -> Section:
    section = Section(_("Ghi chép của tư vấn viên"))
    newer = set(
        db.session.scalars(
            select(CaseNote.supersedes_id).where(CaseNote.case_id == case.id, CaseNote.supersedes_id.is_not(None))
        )
    )
    for note in db.session.scalars(
        select(CaseNote)
        .where(CaseNote.case_id == case.id, CaseNote.withdrawn_at.is_(None))
        .order_by(CaseNote.created_at)
    ):
        if note.id not in newer:  # only the latest version of a corrected note
            section.text(date_vn(clock.local(note.created_at)), mask(note.body, names))
    return section


def _followup_section(case: Case, names: dict[str, str]) -> Section:
    """Follow-ups: when, what for, and whether it happened (the outcome notes are the counsellor's own)."""
    section = Section(_("Các lần theo dõi, hẹn gặp"))
    for followup in _rows(FollowUp, case, FollowUp.due_on):
        what = mask(followup.purpose, names) or _("Theo dõi")
        state = str(FOLLOWUP_STATUSES.get(followup.status, followup.status))
        if followup.done_at:
            state += " · " + date_vn(clock.local(followup.done_at))
        section.add(f"{date_vn(followup.due_on)}: {what}", state)
    return section


def _code_label(items, code) -> str:
    found = protection_ref.find(items, code or "")
    return found.label if found else (code or "")


def _span(start, end) -> str:
    return " – ".join(date_vn(d) for d in (start, end) if d)


def _protection_sections(case: Case, names: dict[str, str]) -> list[Section]:
    """Incidents in the survivor's own account, protective measures, no-contact orders and support regimes; the
    perpetrator only as "người gây bạo lực", never by name, relation or identity, and no staff notes."""
    incidents = Section(_("Các vụ việc bạn đã kể"))
    for number, incident in enumerate(_rows(Incident, case, Incident.created_at), start=1):
        when = (
            date_vn(incident.occurred_on) if incident.occurred_on else _span(incident.period_from, incident.period_to)
        )
        forms = "; ".join(_code_label(protection_ref.VIOLENCE_FORMS, f.form) for f in incident.forms)
        parts = [when, _code_label(protection_ref.PLACE_TYPES, incident.place_type), forms]
        if incident.perpetrators:
            parts.append(str(PERPETRATOR))
        if incident.reported_to_police:
            parts.append(_("đã báo công an"))
        incidents.add(_("Vụ việc %(n)d", n=number), " · ".join(p for p in parts if p))
        incidents.text(_("Lời kể của bạn (vụ việc %(n)d)", n=number), mask(incident.description, names))
    measures = Section(_("Biện pháp bảo vệ, hỗ trợ"))
    # in decision order once opened: a measure's day is sealed with the case
    for measure in sorted(_rows(Measure, case, Measure.created_at), key=lambda m: m.decided_on):
        parts = [
            _code_label(protection_ref.MEASURE_DECIDERS, measure.decided_by),
            _("quyết định ngày %(day)s", day=date_vn(measure.decided_on)),
            _span(measure.start_on, measure.end_on),
            _code_label(protection_ref.MEASURE_OUTCOMES, measure.outcome),
        ]
        measures.add(_code_label(protection_ref.MEASURES, measure.measure), " · ".join(p for p in parts if p))
    orders = Section(_("Quyết định cấm tiếp xúc"))
    for order in _rows(NoContactOrder, case, NoContactOrder.requested_at):
        status = str(ORDER_STATUSES.get(order.status, order.status))
        if order.status == "granted" and order.ends_at and order.ends_at < clock.now():
            status = _("Đã hết hiệu lực")
        parts = [
            _("cấm %(who)s tiếp xúc với bạn", who=PERPETRATOR),
            _("đề nghị ngày %(day)s", day=date_vn(clock.local(order.requested_at))),
            status,
        ]
        if order.starts_at and order.ends_at:
            parts.append(_span(clock.local(order.starts_at).date(), clock.local(order.ends_at).date()))
        if order.renewal_of_id:
            parts.append(_("gia hạn"))
        orders.add(_code_label(protection_ref.ORDER_DECIDERS, order.decider), " · ".join(parts))
    regimes = Section(_("Chế độ hỗ trợ nạn nhân"))
    for ent in _rows(Entitlement, case, Entitlement.granted_on):
        parts = [
            _("được hưởng từ ngày %(day)s", day=date_vn(ent.granted_on)),
            _span(ent.started_on, ent.ended_on),
            money(ent.amount) if ent.amount else "",
            _code_label(protection_ref.RESPONSIBLE_BODIES, ent.responsible_body),
        ]
        regimes.add(_code_label(protection_ref.REGIMES, ent.regime), " · ".join(p for p in parts if p))
    return [incidents, measures, orders, regimes]


def _referral_section(case: Case) -> Section:
    """Where the case was referred: the receiving service (never its staff, nor who sent it), dates, status, the
    services asked and given, and which of your data was shared (names of fields, not the values)."""
    section = Section(_("Chuyển gửi đến cơ quan, dịch vụ khác"))
    kinds = dict(referral_ref.SERVICE_KINDS)
    for referral in _rows(Referral, case, Referral.sent_at):
        service = db.session.get(Service, referral.service_id) if referral.service_id else None
        shared: list[str] = []
        for packet in referral.packets:
            shared += [f for f in packet.fields if f not in shared]
        parts = [
            _("gửi ngày %(day)s", day=date_vn(clock.local(referral.sent_at))),
            str(REFERRAL_STATUSES.get(referral.status, referral.status)),
        ]
        ended = referral.completed_at or referral.withdrawn_at or referral.decided_at
        if ended:
            parts.append(_("cập nhật ngày %(day)s", day=date_vn(clock.local(ended))))
        parts.append(_("đề nghị: %(what)s", what=", ".join(str(kinds.get(k, k)) for k in referral.services)))
        given = [f"{kinds.get(d.kind, d.kind)} ({date_vn(d.delivered_on)})" for d in referral.delivered]
        if given:
            parts.append(_("đã hỗ trợ: %(what)s", what=", ".join(str(g) for g in given)))
        if shared:
            labels = [str(referral_fields.FIELD_LABELS.get(f, f)) for f in shared]
            parts.append(_("thông tin đã chia sẻ: %(what)s", what=", ".join(labels)))
        section.add(service.name if service else referral.agency.name, " · ".join(parts))
    return section


def _livelihood_sections(case: Case, names: dict[str, str]) -> list[Section]:
    """Livelihood plans: what, how much, the support received and where it stands (no reviewer's comment)."""
    sections = []
    activities = dict(livelihood_forms.ACTIVITY_CHOICES)
    for number, plan in enumerate(_rows(LivelihoodPlan, case, LivelihoodPlan.created_at), start=1):
        section = Section(_("Kế hoạch sinh kế %(n)d", n=number))
        section.add(_("Hoạt động"), activities.get(plan.activity, plan.activity))
        section.add(_("Tình trạng"), livelihood_forms.STATUS_LABELS.get(plan.status, plan.status))
        section.add(_("Thời gian"), _span(plan.start_on, plan.end_on))
        section.add(_("Số tiền đề nghị"), money(plan.amount_requested))
        section.add(_("Số tiền được duyệt"), money(plan.amount_approved) if plan.amount_approved else None)
        own = sum(v or 0 for v in (plan.cofund_own, plan.cofund_family, plan.cofund_bank, plan.cofund_other))
        section.add(_("Vốn đối ứng"), money(own) if own else None)
        for paid in plan.disbursements:
            how = _("tiền mặt") if paid.payment_form == "cash" else _("hiện vật")
            section.add(_("Đã nhận ngày %(day)s", day=date_vn(paid.paid_on)), f"{money(paid.amount)} ({how})")
        section.add(_("Kết thúc ngày"), date_vn(plan.closed_on) if plan.closed_on else None)
        section.text(_("Kế hoạch của bạn"), mask(plan.description, names))
        section.text(_("Nhu cầu học nghề, tập huấn"), mask(plan.training_needs, names))
        sections.append(section)
    return sections


def _iso_vn(value) -> str | None:
    return date_vn(date.fromisoformat(value)) if value else None


# --- files ------------------------------------------------------------------------------------------------


def heading_lines() -> tuple[str, str]:
    return documents.national_heading()


def intro(copy: SurvivorCopy) -> list[str]:
    return [
        _("Đây là thông tin %(unit)s đang lưu về bạn, ngày %(day)s.", unit=copy.unit_name, day=date_vn(copy.made_on)),
        _(
            "Thông tin về người khác (người gây bạo lực, người báo tin, người làm chứng, cán bộ cơ quan khác) "
            "không in ở đây, theo Luật Bảo vệ dữ liệu cá nhân 91/2025, Điều 15."
        ),
        _("Hãy cất giữ giấy này ở nơi an toàn."),
    ]


def document(copy: SurvivorCopy) -> documents.Document:
    """The copy for the shared document writer (app/web/documents.py), in large type."""
    return documents.Document(
        title=_("BẢN SAO DỮ LIỆU CÁ NHÂN"),
        subtitle=[_("Hồ sơ %(code)s", code=copy.code)],
        intro=intro(copy),
        sections=copy.sections,
        author=copy.unit_name,
        large=True,
    )


def to_pdf(copy: SurvivorCopy) -> bytes:
    """The copy as a PDF (A4, large type), in memory."""
    return documents.to_pdf(document(copy))


def to_docx(copy: SurvivorCopy) -> bytes:
    """The copy as a Word document (large type), in memory."""
    return documents.to_docx(document(copy))
