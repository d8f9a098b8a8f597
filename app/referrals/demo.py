"""Demo referrals: some demo cases get a consent to share with Phòng LĐ-TB&XH (AG-LDTBXH-099) and a referral
in each state. Fictitious data only; does nothing when there are no cases or the agency is missing."""

from datetime import date, timedelta

from sqlalchemy import select

from ..audit import services as audit
from ..auth.models import RoleAssignment
from ..cases.models import Case, Consent
from ..extensions import db, utcnow
from ..units.queries import by_code
from .fields import snapshot
from .models import Referral, ReferralPacket, ReferralServiceDelivered
from .services import ack_due, new_code

AGENCY = "AG-LDTBXH-099"
FIELDS = ("code", "sex", "age_band", "ethnic_code", "full_name", "phone", "preferred_language", "incident")
# (status, urgency, days ago): one of each state, the first overdue.
PLAN = (("sent", "normal", 6), ("sent", "urgent", 0), ("acknowledged", "normal", 3), ("accepted", "normal", 9),
        ("services_recorded", "normal", 20), ("completed", "normal", 40), ("declined", "normal", 15),
        ("withdrawn", "normal", 12))


def seed(count=None) -> int:
    """Add demo referrals to the first open demo cases (once); returns how many were made."""
    agency = by_code(AGENCY)
    if agency is None or db.session.scalar(select(Referral.id).limit(1)):
        return 0
    cases = db.session.scalars(select(Case).where(Case.status == "open", Case.erased_at.is_(None))
                               .order_by(Case.code).limit(len(PLAN))).all()
    now, made = utcnow(), 0
    for case, (status, urgency, days) in zip(cases, PLAN, strict=False):
        sender = db.session.scalar(select(RoleAssignment.user_id).where(
            RoleAssignment.role == "counsellor", RoleAssignment.unit_id == case.unit_id))
        consent = Consent(case=case, case_id=case.id, purpose="share_with_agency", agency_id=agency.id,
                          method="signed", given_by="self", given_on=date.today() - timedelta(days=days + 1))
        db.session.add(consent)
        db.session.flush()
        sent_at = now - timedelta(days=days, hours=2)
        referral = Referral(code=new_code(sent_at), case_id=case.id, agency_id=agency.id,
                            sender_unit_id=case.unit_id, services=["essential_needs", "vocational_training"],
                            urgency=urgency, status=status, legal_basis="consent", consent_id=consent.id,
                            idempotency_key=f"demo-{case.id}", sent_by_id=sender, sent_at=sent_at,
                            ack_due_at=ack_due(sent_at, urgency))
        if status not in ("sent",):
            referral.acknowledged_at = referral.opened_at = sent_at + timedelta(hours=20)
        if status in ("accepted", "services_recorded", "completed", "declined"):
            referral.decided_at = sent_at + timedelta(days=1)
        if status == "declined":
            referral.decline_reason = "Không thuộc chức năng của cơ quan (demo)."
        if status == "withdrawn":
            referral.withdrawn_at, referral.withdraw_cause = sent_at + timedelta(days=2), "sender"
        db.session.add(referral)
        packet = ReferralPacket(referral=referral, number=1, fields=list(FIELDS),
                                idempotency_key=f"demo-{case.id}:1", created_by_id=sender, created_at=sent_at)
        packet.content = {"values": snapshot(case, FIELDS), "message": "Đề nghị hỗ trợ học nghề (demo)."}
        db.session.add(packet)
        if status in ("services_recorded", "completed"):
            row = ReferralServiceDelivered(referral=referral, kind="essential_needs",
                                           delivered_on=date.today() - timedelta(days=max(days - 5, 0)))
            row.notes = "Đã cấp nhu yếu phẩm (demo)."
            db.session.add(row)
        if status == "completed":
            referral.completed_at = now - timedelta(days=2)
            referral.feedback = "Đã hoàn thành hỗ trợ; đề nghị tiếp tục theo dõi (demo)."
        made += 1
    audit.record("seed-demo", "referral.demo_seed", detail={"count": made})
    db.session.flush()
    return made
