"""The rights desk's documents as files: the acknowledgement given to the person and the breach notification to
the authority (form 08). What each holds is said here; the PDF and DOCX layout, with the national heading, is
the shared writer's (app/web/documents.py). The same content as the printable pages
(templates/rights/acknowledgement.html, breach_notice.html)."""

from datetime import date

from flask_babel import gettext as _

from ..auth.models import User
from ..extensions import db
from ..web.documents import Document, Section
from ..web.filters import date_vn, datetime_vn, number
from . import reference_data as ref
from . import rules
from .models import Breach, RightsRequest

# The breach notification to the authority is form 08 of Decree 356/2025/NĐ-CP (Art. 28–29), within 72 hours of
# detection (Law 91/2025/QH15 Art. 23; legal-2026.md §5). The form holds the breach, never a survivor's data.
BREACH_FORM = "Mẫu số 08"


def acknowledgement_lines(req: RightsRequest) -> list[str]:
    """The acknowledgement's sentences, in the person's plain words (the page and the files say the same)."""
    kinds = dict(ref.REQUEST_KINDS)
    return [
        _(
            "Chúng tôi đã nhận yêu cầu của bạn ngày %(day)s: %(kind)s.",
            day=date_vn(req.received_at),
            kind=kinds[req.kind],
        ),
        _("Chúng tôi sẽ trả lời bạn chậm nhất ngày %(day)s.", day=date_vn(req.answer_due_at)),
        _("Mã số để hỏi lại: %(code)s.", code=req.case.code),
        _("Nếu chúng tôi không làm được điều bạn yêu cầu, chúng tôi sẽ nói rõ lý do bằng văn bản."),
    ]


def acknowledgement_document(req: RightsRequest, today: date) -> Document:
    sign = Section(_("Ngày %(day)s", day=date_vn(today)))
    sign.text("", _("Người nhận yêu cầu"))
    return Document(
        title=_("Giấy xác nhận đã nhận yêu cầu"),
        sections=[sign],
        intro=acknowledgement_lines(req),
        author=req.case.unit.name,
        large=True,
    )


def _when(value) -> str:
    return datetime_vn(value) if value else _("Chưa")


def breach_sections(breach: Breach) -> list[Section]:
    """Form 08's parts, filled from the breach record: the controller, what happened, the persons affected,
    the measures and the contact. Only what the register holds: no survivor is named in it."""
    kinds = dict(ref.BREACH_KINDS)
    officer = db.session.get(User, breach.recorded_by_id) if breach.recorded_by_id else None
    controller = Section(_("Bên kiểm soát dữ liệu"))
    controller.add(_("Đơn vị"), breach.unit.name)
    controller.add(_("Người liên hệ (người phụ trách bảo vệ dữ liệu)"), officer.display_name if officer else None)
    event = Section(_("Sự cố"))
    event.add(_("Loại vi phạm"), kinds.get(breach.kind, breach.kind))
    event.add(_("Phát hiện lúc"), datetime_vn(breach.detected_at))
    event.add(_("Hạn thông báo (72 giờ)"), datetime_vn(breach.notify_due_at))
    event.add(_("Đã khắc phục"), _when(breach.contained_at))
    event.add(_("Đã thông báo cơ quan"), _when(breach.notified_at))
    event.text(_("Mô tả"), breach.description)
    event.text(_("Lý do chậm"), breach.late_reason)
    persons = Section(_("Chủ thể dữ liệu bị ảnh hưởng"))
    persons.add(_("Số người bị ảnh hưởng"), number(breach.persons_affected or 0))
    persons.add(_("Đã thông báo cho người bị ảnh hưởng"), _when(breach.persons_notified_at))
    measures = Section(_("Biện pháp khắc phục"))
    measures.text("", breach.measures or _("Chưa ghi nhận"))
    return [controller, event, persons, measures]


def breach_document(breach: Breach) -> Document:
    return Document(
        title=_("THÔNG BÁO VI PHẠM QUY ĐỊNH BẢO VỆ DỮ LIỆU CÁ NHÂN"),
        form=BREACH_FORM,
        subtitle=[
            _("Kính gửi: Cơ quan chuyên trách bảo vệ dữ liệu cá nhân"),
            _("Căn cứ: %(law)s", law=rules.BREACH_NOTIFY.article),
        ],
        sections=breach_sections(breach),
        author=breach.unit.name,
    )
