"""The controller's documents for the authority as files: the impact dossier (form 10 with annex 02a, from one
saved version) and the processing register (from the system's facts today). What each holds is said here; the
PDF and DOCX layout, with the national heading, is the shared writer's (app/web/documents.py). The same content
as the printable pages (templates/privacy/dossier_print.html, register.html)."""

from datetime import date

from flask_babel import gettext as _

from ..web.documents import Document, Section
from ..web.filters import date_vn
from . import reference_data as ref
from .models import DossierVersion


def _agreement(recipient: dict) -> str:
    if recipient.get("agreement"):
        return _("thoả thuận số %(ref)s", ref=recipient["agreement"])
    return _("chưa có thoả thuận chuyển giao")


def _recipient_name(recipient: dict) -> str:
    """A recipient of the facts: a directory service and its agency (older dossier versions name the agency)."""
    agency = recipient.get("agency")
    return f"{recipient['name']} — {agency}" if agency else recipient["name"]


def fact_sections(facts: dict) -> list[Section]:
    """The system's facts (app/privacy/facts.py snapshot) as sections: what, why, on what basis, who receives."""
    basis = Section(_("Căn cứ và mục đích"))
    basis.add(_("Căn cứ"), facts.get("legal_basis"))
    basis.add(_("Thông báo xử lý dữ liệu nhạy cảm đang áp dụng"), facts.get("notice") or _("Chưa có"))
    basis.add(_("Mục đích xử lý (theo sổ đồng ý)"), "; ".join(_(p) for p in facts.get("purposes", [])))
    subjects = facts.get("subjects")
    basis.add(_("Số chủ thể dữ liệu (hồ sơ chưa xoá)"), subjects if subjects is not None else None)
    categories = Section(_("Loại dữ liệu"))
    for name, items in facts.get("categories", []):
        categories.add(_(name), _(items))
    recipients = Section(_("Bên nhận dữ liệu (danh bạ dịch vụ)"))
    for recipient in facts.get("recipients", []):
        recipients.add(_recipient_name(recipient), _agreement(recipient))
    retention = Section(_("Thời hạn lưu trữ"))
    for label, start, months, _basis in facts.get("retention", []):
        retention.add(_(label), f"{_('%(n)d tháng', n=months)} {_(start)}" if months else _("chưa quy định"))
    safeguards = Section(_("Biện pháp bảo vệ"))
    for number, safeguard in enumerate(facts.get("safeguards", []), start=1):
        safeguards.add(str(number), _(safeguard))
    return [basis, categories, recipients, retention, safeguards]


def dossier_document(dossier: DossierVersion) -> Document:
    """One saved version of the dossier: the officer's sections, then the facts it was saved with."""
    reasons = dict(ref.DOSSIER_REASONS)
    meta = " · ".join(
        [
            _("Phiên bản %(n)d", n=dossier.version),
            str(reasons.get(dossier.reason, dossier.reason)),
            _("lập ngày %(d)s", d=date_vn(dossier.completed_on)),
            _("bắt đầu xử lý từ %(d)s", d=date_vn(dossier.processing_started_on)),
        ]
    )
    sections = [
        Section(str(label), paragraphs=[("", dossier.sections.get(key) or "—")]) for key, label in ref.DOSSIER_SECTIONS
    ]
    facts = dossier.facts or {}
    if facts:
        annex = Section(_("Phụ lục: thông tin lấy từ hệ thống ngày %(d)s", d=facts.get("on", "")))
        annex.paragraphs.append(("", _("Đọc từ dữ liệu của hệ thống khi lưu phiên bản này, không nhập tay.")))
        sections += [annex, *fact_sections(facts)]
    return Document(
        title=_("Hồ sơ đánh giá tác động xử lý dữ liệu cá nhân"),
        form=_("Mẫu số 10"),
        subtitle=[meta],
        sections=sections,
    )


def register_document(facts: dict, today: date) -> Document:
    """The processing register as it stands today, generated from the records (never typed)."""
    return Document(
        title=_("Sổ ghi chép hoạt động xử lý dữ liệu"),
        subtitle=[_("Lập từ dữ liệu của hệ thống ngày %(d)s.", d=date_vn(today))],
        sections=fact_sections(facts),
    )
