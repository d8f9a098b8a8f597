"""The survivor's copy of their case (a view/copy request): what the case holds about them, and nothing about
anyone else.

Law 91/2025/QH15 Art. 15(2)(a) (legal-2026.md §5): a copy given to the person leaves out third parties and
the reporter. So the copy is built from an allow-list of fields, never by removing fields from the whole case:
a field added to the case later stays out of the copy until someone decides it belongs there.

Left out: the perpetrator and the relation to them, the reporter and how the case reached the unit (the
channel can name the reporter: "a neighbour told us"), the guardian, the protection order's supervisor and the
notes on its breaches, consent witnesses, the safe-contact code word (a paper copy can be found by the very
person it protects against; the counsellor tells it in person), referrals (they name agency staff).
Free text the counsellor wrote (incident, safety plan, needs, notes) can name people too: every name the case
records for a third party is masked wherever it appears in it, and the counsellor reads the printable page
before handing it over.

One content model (`build`) feeds three renderings: the printable page, the PDF (fpdf2, DejaVu Sans: Vietnamese
needs a Unicode TTF) and the DOCX (python-docx). Files are made in memory for one download and never stored.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import clock
from ..cases import forms as case_forms
from ..cases import reference_data as case_ref
from ..cases.models import Case, CaseNote, CaseService, Consent
from ..extensions import db
from ..web import documents
from ..web.filters import date_vn

MASK = "[…]"
STATUSES = {"open": _l("Đang hỗ trợ"), "closed": _l("Đã đóng")}


@dataclass
class Section:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[tuple[str, str]] = field(default_factory=list)  # (heading, text) for longer text

    def add(self, label: str, value) -> None:
        if value not in (None, "", [], {}):
            self.rows.append((label, str(value)))

    def text(self, heading: str, value) -> None:
        if value:
            self.paragraphs.append((heading, str(value)))


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


def third_party_names(case: Case) -> list[str]:
    """Every name the case records for someone other than the survivor, longest first (masked in free text)."""
    dv = case.domestic_violence or {}
    order = dv.get("order") or {}
    names = [dv.get("perpetrator"), case.reported_by, (case.guardian or {}).get("name"), order.get("supervisor")]
    names += [c.witness for c in _consents(case)]
    found = {unicodedata.normalize("NFC", n).strip() for n in names if n and n.strip()}
    # "Chồng — Quàng Văn B": the name after a dash or comma is masked on its own too.
    for name in list(found):
        found |= {part.strip() for part in re.split(r"[—–,;:()-]", name) if len(part.strip()) >= 4}
    return sorted(found, key=len, reverse=True)


def mask(text, names: list[str]) -> str | None:
    """`text` with every recorded third-party name replaced by a mark (case-insensitive)."""
    if not text:
        return text
    text = unicodedata.normalize("NFC", str(text))
    for name in names:
        text = re.sub(re.escape(name), MASK, text, flags=re.IGNORECASE)
    return text


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


def _case_section(case: Case, names: list[str]) -> Section:
    section = Section(_("Hồ sơ của bạn"))
    section.add(_("Mã hồ sơ"), case.code)
    section.add(_("Loại vụ việc"), dict(case_forms.KIND_CHOICES).get(case.kind))
    section.add(_("Nơi hỗ trợ"), case.unit.name)
    section.add(_("Ngày tiếp nhận"), date_vn(case.opened_on))
    section.add(_("Tình trạng"), STATUSES.get(case.status))
    section.add(_("Ngày đóng hồ sơ"), date_vn(case.closed_on) if case.closed_on else None)
    section.add(_("Mức độ nguy cơ"), _labels(case_ref.RISK_LEVELS).get(case.risk_level))
    contact = case.safe_contact or {}
    section.add(_("Cách liên lạc an toàn"), dict(case_forms.CONTACT_CHANNELS).get(contact.get("channel")))
    section.add(_("Giờ liên lạc"), mask(contact.get("window"), names))
    return section


def _narrative(case: Case, names: list[str]) -> list[Section]:
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
        section.add(_("Tình trạng xác định nạn nhân"), _labels(case_ref.TRAFFICKING_STATUSES).get(tr.get("status")))
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


def _note_section(case: Case, names: list[str]) -> Section:
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
