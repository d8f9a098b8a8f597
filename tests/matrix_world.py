""" "The world" for the whole-system proofs: users of every role profile and objects of several scopes.

Shared by test_access_matrix.py, test_hostile_input.py and test_web_hardening.py (no tests here).

Role profiles (the rows of the access matrix):

* ``anon`` — nobody signed in;
* ``counsellor`` — counsellor of trusted address TA-02 (commune 03295), who owns the "own" case;
* ``counsellor_other`` — counsellor of TA-03 (another commune of the same district), owning the "other" case;
* ``supervisor`` — supervisor of commune 03295: reads the protection casework of the "own" case and co-signs
  its exception contacts;
* ``reviewer`` — district reviewer of Tuần Giáo (099), which covers both communes;
* ``reviewer_other`` — district reviewer of a second district made here, owning nothing in Tuần Giáo;
* ``reviewer_province`` — reviewer at the province (11): sees the whole province's summaries and confirms the
  reports of the units below it (the district's report; the communes' since the 2025 reform);
* ``agency`` / ``agency_other`` — agency officers of the agency a referral is addressed to, and of one it is not;
* ``reporter`` (commune 03295), ``monitor`` (province 11), ``admin`` (province 11);
* ``dpo`` — the data-protection officer (province 11): the controller's pages (app/privacy), the breach
  register and the rights desk's queue; never a case's content.

Objects come in variants, each filling the URL parameters of a route:

* ``own`` — belongs to TA-02 (the counsellor's unit);
* ``other`` — belongs to TA-03 (another commune of the district);
* ``far`` — belongs to a commune of the other district;
* ``mixed`` — a case of TA-02 with a child row (note, consent…) of the TA-03 case: must never match;
* ``unknown`` — random UUIDs;
* ``district`` — the district's own report (099) to the province: only for the report routes.

Everything is built through the areas' own services, as a user would.
"""

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

from app import clock
from app.extensions import db

PASSWORD = "mat-khau-kiem-thu-dai"

OTHER_DISTRICT = "TD-KHAC"
OTHER_COMMUNE = "TD-KHAC-01"

# profile -> (role, unit code); anon has none.
PROFILES: dict[str, tuple[str, str] | None] = {
    "anon": None,
    "counsellor": ("counsellor", "TA-02"),
    "counsellor_other": ("counsellor", "TA-03"),
    "supervisor": ("supervisor", "03295"),  # supervises the counsellors of commune 03295 (TA-02: the "own" case)
    "reviewer": ("district_reviewer", "099"),
    "reviewer_other": ("district_reviewer", OTHER_DISTRICT),
    "reviewer_province": ("district_reviewer", "11"),
    "agency": ("agency_officer", "AG-PVHXH-03295"),  # Phòng VH-XH xã Quài Tở: current since 1/7/2025
    "agency_other": ("agency_officer", "AG-PVHXH-03268"),  # the same office of another commune
    "reporter": ("reporter", "03295"),
    "monitor": ("monitor", "11"),
    "admin": ("admin", "11"),
    "dpo": ("dpo", "11"),  # the data-protection officer of the controller (the province)
}
SIGNED_IN = tuple(p for p in PROFILES if p != "anon")
VARIANTS = ("own", "other", "far", "mixed", "unknown", "district")

# Person data of the world: none of it may ever appear in a URL, a log line or an audit detail.
PEOPLE = {
    "own": {
        "full_name": "Lò Thị Thử Nghiệm",
        "phone": "0912 000 111",
        "id_number": "011200003333",
        "incident": "Sự việc thử nghiệm số một",
        "code_word": "mua-ga-thu-nghiem",
    },
    "other": {
        "full_name": "Quàng Thị Kiểm Tra",
        "phone": "0912 000 222",
        "id_number": "011200004444",
        "incident": "Sự việc thử nghiệm số hai",
        "code_word": "ban-lon-thu-nghiem",
    },
    "far": {
        "full_name": "Cà Thị Xa Xôi",
        "phone": "0912 000 333",
        "id_number": "011200005555",
        "incident": "Sự việc thử nghiệm số ba",
        "code_word": "hai-che-thu-nghiem",
    },
}
NOTE_BODY = "Ghi chú kín của hồ sơ {variant}"


@dataclass
class World:
    users: dict = field(default_factory=dict)  # profile -> (id, username)
    params: dict = field(default_factory=dict)  # variant -> {url parameter name -> value}
    extra: dict = field(default_factory=dict)  # other ids the tests want (spare user, units…)

    def person_values(self) -> list[str]:
        """Every person-data value of the world (for leak checks in URLs, logs and audit details)."""
        values = []
        for person in PEOPLE.values():
            values += [v for k, v in person.items() if k != "id_number"] + [person["id_number"]]
        return values + [NOTE_BODY.format(variant=v) for v in PEOPLE]


def _unit(code):
    from app.units.queries import by_code

    found = by_code(code)
    assert found is not None, code
    return found


def _user(role: str, unit_code: str, username: str):
    from app.auth import services

    return services.create_user(username, PASSWORD, role=role, unit=_unit(unit_code), actor="test")


def _other_district():
    """A second district under the province, with one commune: the far scope (units are reference data and
    survive the wipe between tests, so it is made once)."""
    from app.units.queries import by_code
    from app.units.services import create_unit

    if by_code(OTHER_COMMUNE) is not None:
        return
    district = create_unit(
        code=OTHER_DISTRICT, kind="district", name="Huyện Thử Nghiệm Khác", parent=_unit("11"), actor="test"
    )
    create_unit(code=OTHER_COMMUNE, kind="commune", name="Xã Thử Nghiệm Khác", parent=district, actor="test")
    # The far case is referred to agency_other: its office serves the far commune too (directory data),
    from app.directory.services import save_service

    save_service(
        None,
        {
            "code": "SV-TEST-FAR",
            "name": "Dịch vụ thử nghiệm xa",
            "kind": "social_protection",
            "unit_id": _unit(PROFILES["agency_other"][1]).id,
            "areas": [_unit(OTHER_COMMUNE).id],
        },
        actor="test",
    )
    # and the agency's office serves the other commune too, so that it receives both the own and the other case.
    save_service(
        None,
        {
            "code": "SV-TEST-NEAR",
            "name": "Dịch vụ thử nghiệm gần",
            "kind": "social_protection",
            "unit_id": _unit(PROFILES["agency"][1]).id,
            "areas": [_unit("03268").id],
        },
        actor="test",
    )


def _case(actor, unit_code: str, person: dict):
    from app.cases import services

    data = {
        "kind": "both",
        "unit_id": _unit(unit_code).id,
        "sex": "female",
        "age_band": "30_44",
        "ethnic_code": "03",
        "disability": False,
        "poverty_status": "poor",
        "risk_level": "high",
        "opened_on": date(2026, 3, 2),
        "full_name": person["full_name"],
        "birth_year": 1990,
        "phone": person["phone"],
        "id_number": person["id_number"],
        "incident": person["incident"],
        "domestic_violence": {"acts": ["beating_threats"], "relation": "chồng"},
        "trafficking": {"status": "being_identified", "destination": "Nơi thử nghiệm"},
        "safe_contact": {"channel": "through_trusted_person", "code_word": person["code_word"]},
    }
    return services.create_case(data, actor=actor)


def _case_children(case, actor, agency, variant: str) -> dict:
    """A consent (sharing with the addressed agency), a service, a follow-up and a note on the case."""
    from app.cases import services

    consent = services.record_consent(
        case,
        {
            "purpose": "share_with_agency",
            "agency_id": agency.id,
            "method": "signed",
            "given_by": "self",
            "given_on": date(2026, 3, 2),
            "expires_on": None,
        },
        actor=actor,
    )
    service = services.add_service(
        case,
        {"kind": "medical", "status": "planned", "start_on": date(2026, 3, 3), "end_on": None, "notes": ""},
        actor=actor,
    )
    followup = services.schedule_followup(case, clock.today() + timedelta(days=7), "Gọi hỏi thăm", actor=actor)
    note = services.add_note(case, NOTE_BODY.format(variant=variant), actor=actor)
    db.session.flush()
    return {
        "case_id": case.id,
        "consent_id": consent.id,
        "service_id": service.id,
        "followup_id": followup.id,
        "note_id": note.id,
    }


def build_world() -> World:
    """Create the users, units and objects of every scope; commits. Call inside an app context."""
    world = World()
    _other_district()
    users = {}
    for profile, spec in PROFILES.items():
        if spec:
            users[profile] = _user(*spec, username=f"{profile.replace('_', '-')}-{secrets.token_hex(2)}")
    far_counsellor = _user("counsellor", OTHER_COMMUNE, f"far-{secrets.token_hex(2)}")
    spare = _user("counsellor", "TA-05", f"spare-{secrets.token_hex(2)}")
    world.users = {p: (u.id, u.username) for p, u in users.items()}
    agency = _unit(PROFILES["agency"][1])

    owners = {
        "own": (users["counsellor"], "TA-02"),
        "other": (users["counsellor_other"], "TA-03"),
        "far": (far_counsellor, OTHER_COMMUNE),
    }
    cases = {}
    for variant, (owner, unit_code) in owners.items():
        cases[variant] = _case(owner, unit_code, PEOPLE[variant])
        world.params[variant] = _case_children(cases[variant], owner, agency, variant)

    from app.cases import services as case_services

    for variant in ("own", "other", "far"):
        request = case_services.request_erase(cases[variant], "subject_request", actor=users["admin"])
        world.params[variant]["request_id"] = request.id

    # Admin objects: a spare account (never one of the profiles, whose sessions the test uses) and units.
    for variant, unit_code in (("own", "TA-02"), ("other", "TA-03"), ("far", OTHER_COMMUNE)):
        world.params[variant].update(user_id=spare.id, assignment_id=spare.roles[0].id, unit_id=_unit(unit_code).id)
    _approval_objects(world, users, spare)
    world.extra["far_counsellor"] = far_counsellor
    _build_area_objects(world, users, cases)
    world.extra.pop("far_counsellor")
    from app.directory.queries import by_code as service_by_code

    for variant in ("own", "other", "far"):
        world.params[variant]["dir_service_id"] = service_by_code("SV-PVHXH-03295").id
    world.params["mixed"] = dict(world.params["own"])
    world.params["mixed"].update(
        {k: world.params["other"][k] for k in ("consent_id", "service_id", "followup_id", "note_id", "assignment_id")}
    )
    world.params["mixed"]["assignment_id"] = users["counsellor"].roles[0].id  # another user's role
    world.params["unknown"] = {k: str(uuid.uuid4()) for k in world.params["own"]}
    world.params["unknown"]["token"] = secrets.token_urlsafe(32)
    world.params["unknown"]["number"] = 1  # a plan version number: the plan id is the unknown part
    for variant in VARIANTS:
        world.params[variant]["form_key"] = "case-intake" if variant != "unknown" else "-not-a-form-key"
    world.extra.update(
        spare_id=spare.id,
        case_codes={v: c.code for v, c in cases.items()},
        agency_id=agency.id,
        far_commune_id=_unit(OTHER_COMMUNE).id,
    )
    db.session.commit()
    return world


def _approval_objects(world: World, users: dict, spare) -> None:
    """A pending request (a supervisor role at TA-05 for the spare account, asked by the admin) and a one-time
    setup link of the spare account."""
    from app.approvals import services as approvals
    from app.auth import setup_links

    row = approvals.request_role(spare, "supervisor", _unit("TA-05"), actor=users["admin"])
    token = setup_links.issue(spare, actor="test")
    for variant in ("own", "other", "far"):
        world.params[variant].update(approval_id=row.id, token=token)


def _build_area_objects(world: World, users: dict, cases: dict) -> None:
    """Objects of the other areas: referrals (own and other addressed to `agency`, far to `agency_other`),
    an agency mapping; a submitted livelihood plan per case; indicator reports, models and budget lines."""
    _referrals(world, users, cases)
    _transfers(world, users, cases)
    _conferences(world, users, cases)
    _livelihood(world, users, cases)
    _indicators(world, users)
    _offline(world, users, cases)
    _protection(world, users, cases)
    _rights(world, users, cases)
    _registers(world)
    _privacy(world, users)


def _offline(world: World, users: dict, cases: dict) -> None:
    """A registered phone, a case carried offline and an item that could not be saved, per counsellor."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from app.auth.models import User
    from app.offline import services
    from app.offline.models import OfflineItem

    owners = {"own": users["counsellor"], "other": users["counsellor_other"], "far": world.extra["far_counsellor"]}
    for variant, owner in owners.items():
        owner = db.session.get(User, owner.id)
        key = (
            ec.generate_private_key(ec.SECP256R1())
            .public_key()
            .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
        device = services.register_device(owner, key, "Điện thoại 1")
        row = services.add_offline_case(owner, cases[variant])
        item = OfflineItem(
            id=str(uuid.uuid4()),
            device_id=device.id,
            user_id=owner.id,
            kind="note",
            status="rejected",
            reason="invalid",
            captured_at=device.registered_at,
            case_id=cases[variant].id,
        )
        item.values, item.errors = {"body": [""]}, {"body": ["Vui lòng nhập mục này."]}
        db.session.add(item)
        db.session.flush()
        world.params[variant].update(device_id=device.id, row_id=row.id, item_id=item.id)


def _rights(world: World, users: dict, cases: dict) -> None:
    """A survivor's request on each case, and a breach in the register of the province."""
    from app.auth.models import User
    from app.rights import answers, services
    from app.rights.models import ErasureSignOff

    owners = {"own": users["counsellor"], "other": users["counsellor_other"], "far": world.extra["far_counsellor"]}
    for variant, owner in owners.items():
        req = services.record_request(
            cases[variant],
            {"kind": "view_copy", "channel": "in_person", "identity_check": "cccd", "details": "Xin xem hồ sơ"},
            actor=db.session.get(User, owner.id),
        )
        world.params[variant]["rights_id"] = req.id
        world.params[variant]["fmt"] = "pdf"  # the survivor's copy, the acknowledgement, form 08 as files
        hold = answers.add_hold(
            cases[variant],
            {"kind": "criminal_proceeding", "reason": "Vụ án thử nghiệm"},
            actor=db.session.get(User, owner.id),
        )
        world.params[variant]["hold_id"] = hold.id
        # An erasure the retention schedule proposed on this case, waiting for the supervisor's sign-off.
        erasure = ErasureSignOff(
            origin="retention", case_id=cases[variant].id, status="pending", proposed_by_id=owner.id
        )
        db.session.add(erasure)
        db.session.flush()
        world.params[variant]["erasure_id"] = erasure.id
    admin = db.session.get(User, users["admin"].id)
    breach = services.record_breach(
        _unit("11"), {"kind": "loss", "detected_at": datetime.now(UTC), "description": "Mất máy"}, actor=admin
    )
    for variant in ("own", "other", "far"):
        world.params[variant]["breach_id"] = breach.id


def _registers(world: World) -> None:
    """A safe-motherhood payment and a community event per commune scope (own 03295, other 03268, far)."""
    from app.registers import services

    communes = {"own": "03295", "other": "03268", "far": OTHER_COMMUNE}
    for variant, code in communes.items():
        commune = _unit(code)
        payment = services.save_payment(
            None,
            commune,
            {
                "package": "birth_care",
                "amount": 1_200_000,
                "paid_on": date(2026, 3, 2),
                "voucher_number": f"PC-{variant}",
                "full_name": f"Mẹ thử nghiệm {variant}",
            },
            actor="test",
        )
        event = services.save_event(
            None,
            commune,
            commune,
            {
                "kind": "communication",
                "held_on": date(2026, 4, 1),
                "participants": 10,
                "female": 6,
                "male": 4,
                "by_ethnicity": {"03": 10},
            },
            actor="test",
        )
        world.params[variant].update(payment_id=payment.id, event_id=event.id)


def _privacy(world: World, users: dict) -> None:
    """The first notice version (as `setup` loads it), one version of the impact dossier, a transfer agreement
    (commune 03295's culture and society office) and a retention review of the own case."""
    from app.auth.models import User
    from app.cases.models import Case
    from app.privacy import services
    from app.privacy.reference_data import DOSSIER_SECTIONS

    services.load_reference()
    notice = services.notice_on(date(2026, 3, 2))
    dossier = services.save_dossier(
        dict(
            {key: "Nội dung" for key, _ in DOSSIER_SECTIONS}, reason="initial", processing_started_on=date(2026, 1, 1)
        ),
        {},
        actor=db.session.get(User, users["admin"].id),
    )
    for variant in ("own", "other", "far"):
        world.params[variant].update(notice_id=notice.id, dossier_id=dossier.id)
    from app.directory.queries import by_code
    from app.privacy.models import RetentionReview

    agreement = services.record_agreement(
        {
            "service_id": by_code("SV-PVHXH-03295").id,
            "reference": "01/2026/TTCG",
            "signed_on": date(2026, 2, 2),
            "valid_from": date(2026, 2, 2),
            "scope": "Nhóm tuổi, điện thoại",
        },
        actor=db.session.get(User, users["dpo"].id),
    )
    case = db.session.get(Case, world.params["own"]["case_id"])
    review = RetentionReview(
        record_type="closed_case",
        record_id=case.id,
        unit_id=case.unit_id,
        label=case.code,
        ended_on=date(2020, 1, 1),
        due_on=date(2025, 1, 1),
    )
    db.session.add(review)
    db.session.flush()
    world.extra.update(agreement_id=agreement.id, review_id=review.id)


def _livelihood(world: World, users: dict, cases: dict) -> None:
    from app.livelihood import services

    owners = {"own": users["counsellor"], "other": users["counsellor_other"], "far": world.extra["far_counsellor"]}
    for variant, owner in owners.items():
        plan = services.create_plan(
            cases[variant],
            {
                "activity": "livestock",
                "amount_requested": 12_000_000,
                "cofund_own": 1_000_000,
                "cofund_family": 0,
                "cofund_bank": 0,
                "cofund_other": 0,
                "start_on": date(2026, 4, 1),
                "end_on": date(2027, 3, 31),
                "expected_income": 1_500_000,
                "description": "Nuôi lợn nái",
                "training_needs": "",
                "risks": "",
            },
            actor=owner,
        )
        services.submit_plan(plan, actor=owner)
        world.params[variant].update(plan_id=plan.id, number=1)


def _protection(world: World, users: dict, cases: dict) -> None:
    """Per case: a perpetrator and an incident, a granted no-contact order with a pending exception contact,
    an identification, an essential-needs entitlement and a risk assessment that rose to high."""
    from app import clock
    from app.protection import services

    owners = {"own": users["counsellor"], "other": users["counsellor_other"], "far": world.extra["far_counsellor"]}
    now, today = clock.now(), clock.today()
    for variant, owner in owners.items():
        case = cases[variant]
        person = services.add_perpetrator(
            case,
            {"sex": "male", "age_band": "30_44", "relation": "husband", "full_name": f"Người gây bạo lực {variant}"},
            actor=owner,
        )
        services.add_incident(
            case,
            {"occurred_on": today, "place_type": "home", "forms": ["physical"], "perpetrator_ids": [person.id]},
            actor=owner,
        )
        order = services.request_order(
            case,
            {"requested_by": "victim", "decider": "commune_chair", "requested_at": now - timedelta(hours=2)},
            actor=owner,
        )
        services.decide_order(
            order,
            {"outcome": "granted", "decided_at": now - timedelta(hours=1), "end_on": today + timedelta(days=2)},
            actor=owner,
        )
        contact = services.request_exception(
            order,
            {"reason": "funeral", "starts_at": now, "ends_at": now + timedelta(hours=2), "form09_on": today},
            actor=owner,
        )
        services.save_identification(
            case,
            {"received_by": "commune", "received_on": today, "health_dept_notified_on": today, "being_protected": True},
            actor=owner,
        )
        entitlement = services.grant_entitlement(
            case,
            {
                "regime": "essential_needs",
                "responsible_body": "commune_committee",
                "granted_on": today,
                "started_on": today,
            },
            actor=owner,
        )
        risk = services.assess_risk(case, {"assessed_on": today, "answers": {"weapon": True}}, actor=owner)
        world.params[variant].update(
            order_id=order.id, exception_id=contact.id, entitlement_id=entitlement.id, assessment_id=risk.id
        )


def _indicators(world: World, users: dict) -> None:
    """The indicator objects, written while the 2022 plan was in force (it is archived again after)."""
    from indicators_helpers import in_force

    with in_force():
        _indicator_rows(world)
    _indicator_plan(world)


def _indicator_rows(world: World) -> None:
    """A reporting round with a draft report, a model and a budget line per scope (own commune 03295, other
    commune 03268, far commune of the other district; budget lines belong to districts)."""
    from sqlalchemy import select

    from app.indicators import services
    from app.indicators.models import IndicatorActivity

    # 2025: the old communes existed until 30/06/2025 and report in it; a 2026 round refuses them (reform)
    cycle = services.open_cycle(2025, "preliminary", actor="test")
    world.extra.update(cycle_id=cycle.id, report_unit_id=_unit("03295").id)
    communes = {"own": "03295", "other": "03268", "far": OTHER_COMMUNE}
    districts = {"own": "099", "other": "099", "far": OTHER_DISTRICT}
    for variant, code in communes.items():
        submission = services.start_submission(cycle, _unit(code), actor="test")
        entry = services.save_registry_entry(
            None,
            _unit(code),
            {
                "kind": "communication_team",
                "name": f"Tổ truyền thông thử nghiệm {variant}",
                "decision_number": "12/QĐ-UBND",
                "founded_on": date(2023, 3, 1),
                "status": "active",
                "ended_on": None,
                "members_total": 10,
                "members_women": 6,
                "members_ethnic_minority": 6,
                "members_linked_finance": 0,
                "members_livelihood": 0,
                "applies_gals": False,
                "meetings_held": 4,
            },
            actor="test",
        )
        meeting = services.log_meeting(entry, {"held_on": date(2024, 5, 5), "attendees": 9, "women": 5}, actor="test")
        world.params[variant].update(submission_id=submission.id, entry_id=entry.id, meeting_id=meeting.id)
    # The district's own report to the province: districts filed one until their abolition on 30/06/2025.
    before_reform = services.open_cycle(2024, "preliminary", actor="test")
    district_report = services.start_submission(before_reform, _unit("099"), actor="test")
    world.params["district"] = {"submission_id": district_report.id}
    lines = {}
    for variant in ("own", "far"):
        lines[variant] = services.save_budget_line(
            None,
            _unit(districts[variant]),
            {
                "component": "II",
                "activity_code": None,
                "year": 2026,
                "source": "central",
                "planned": 1_000_000,
                "allocated": 1_000_000,
                "disbursed": 0,
                "note": "",
            },
            actor="test",
        )
    activity = db.session.scalar(
        select(IndicatorActivity).where(IndicatorActivity.is_group.is_(False)).order_by(IndicatorActivity.sort).limit(1)
    )
    for variant in ("own", "other", "far"):
        world.params[variant].update(
            line_id=lines["own" if variant == "other" else variant].id, activity_id=activity.id
        )


def _indicator_plan(world: World) -> None:
    """A draft province plan for 2031-2035 (a copy of the 2022 plan) with a quarterly cycle rule."""
    from app.indicators import plans

    plan = plans.create_plan(
        {
            "title": "Kế hoạch thử 2031-2035",
            "programme": "DA8",
            "phase_start": 2031,
            "phase_end": 2035,
            "budget_total": 0,
            "budget_source_text": "",
            "middle_level": None,
        },
        actor="test",
        owner=_unit("11"),
        copy_from=plans.reference(),
    )
    rule = plans.save_cycle_rule(
        plan, None, {"frequency": "quarterly", "round": "quarter", "level": "commune", "working_days": 10}, actor="test"
    )
    line = plans.save_budget_line(
        plan,
        None,
        _unit("11"),
        {"component": "II", "activity_code": None, "year": 2031, "source": "central", "planned": 1_000_000}
        | {"allocated": 0, "disbursed": 0, "note": ""},
        actor="test",
    )
    activity = next(a for a in plans.activities(plan) if not a.is_group)
    world.params["own"].update(
        indicator_plan_id=plan.id,
        indicator_id=plans.indicators(plan)[-1].id,
        rule_id=rule.id,
        plan_activity_id=activity.id,
        plan_line_id=line.id,
    )


def _conferences(world: World, users: dict, cases: dict) -> None:
    """A case conference on the own case, with an action owned by its counsellor."""
    from app.conferences import services

    conference = services.hold(
        cases["own"],
        {
            "held_on": date(2026, 3, 10),
            "decisions": "Quyết định thử nghiệm",
            "services_present": [],
            "actions": [{"what": "Việc thử nghiệm", "owner_id": users["counsellor"].id, "due_on": date(2026, 3, 20)}],
        },
        actor=users["counsellor"],
    )
    for variant in ("own", "other", "far"):
        world.params[variant]["action_id"] = conference.actions[0].id


def _transfers(world: World, users: dict, cases: dict) -> None:
    """Pending transfers: the own case to TA-03 (counsellor_other accepts), the other case to TA-02."""
    from app.transfers import services

    for variant, sender, to in (("own", "counsellor", "TA-03"), ("other", "counsellor_other", "TA-02")):
        transfer = services.request_transfer(
            cases[variant], {"to_unit_id": _unit(to).id, "reason_code": "moved"}, actor=users[sender]
        )
        world.params[variant]["transfer_id"] = transfer.id
    world.params["far"]["transfer_id"] = world.params["own"]["transfer_id"]


def _referrals(world: World, users: dict, cases: dict) -> None:
    from app.cases import services as case_services
    from app.referrals import services

    agency, elsewhere = _unit(PROFILES["agency"][1]), _unit(PROFILES["agency_other"][1])
    far = cases["far"]
    case_services.record_consent(
        far,
        {
            "purpose": "share_with_agency",
            "agency_id": elsewhere.id,
            "method": "signed",
            "given_by": "self",
            "given_on": date(2026, 3, 2),
            "expires_on": None,
        },
        actor=world.extra["far_counsellor"],
    )
    senders = {
        "own": (users["counsellor"], agency),
        "other": (users["counsellor_other"], agency),
        "far": (world.extra["far_counsellor"], elsewhere),
    }
    for variant, (sender, to) in senders.items():
        referral = services.send_referral(
            cases[variant],
            {
                "idempotency_key": f"world-{variant}-{secrets.token_hex(8)}",
                "agency_id": to.id,
                "services": ["vocational_training"],
                "urgency": "normal",
                "fields": ["age_band", "phone", "incident"],
                "message": "Đề nghị hỗ trợ học nghề",
            },
            actor=sender,
        )
        world.params[variant]["referral_id"] = referral.id
        if variant == "own":  # taken on by the agency, so that it may refer onward
            services.accept(referral, actor=users["agency"])
    mapping = services.map_agency(_unit("AG-LDTBXH-099").id, _unit("AG-SYT-11").id, actor=users["admin"])
    for variant in ("own", "other", "far"):
        world.params[variant]["mapping_id"] = mapping.id


def login(client, world: World, profile: str, address: str | None = None):
    """Sign `client` in as the profile's user (anon: nothing). Each profile gets its own client address so
    that the per-address sign-in limits never trip inside a test run."""
    if profile == "anon":
        return client
    client.environ_base["REMOTE_ADDR"] = address or f"10.9.{list(PROFILES).index(profile)}.{secrets.randbelow(250)}"
    _, username = world.users[profile]
    response = client.post("/auth/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302 and "/auth/login" not in response.headers.get("Location", ""), profile
    return client


def make_world(app) -> World:
    with app.test_request_context():  # services' messages are lazily translated: they need a request
        world = build_world()
        db.session.remove()
    return world


# --- reading pages: links, forms and what the CSP would block ----------------------------------------------

URL_ATTRS = (
    "href",
    "src",
    "action",
    "formaction",
    "hx-get",
    "hx-post",
    "hx-put",
    "hx-patch",
    "hx-delete",
    "data-draft-url",
)


@dataclass
class Form:
    action: str
    method: str
    fields: list = field(default_factory=list)  # dicts: name, tag, type, value, options, multiple, required
    hx_target: str | None = None


class Page(HTMLParser):
    """One HTML page or fragment, read the way a browser with our CSP would: links, forms, inline code."""

    def __init__(self, html: str, url: str = "/"):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.urls: list[str] = []  # every URL the page points to, as written
        self.links: list[str] = []  # <a href> and hx-get: what a person (or htmx) would GET
        self.inline_scripts = 0
        self.script_srcs: list[str] = []
        self.style_elements = 0
        self.inline_attrs: list[str] = []  # style=, on*=, hx-on…
        self.forms: list[Form] = []
        self.meta: dict[str, str] = {}
        self.body_attrs: dict[str, str] = {}
        self.ids: list[str] = []  # every id= in document order, repeats kept: an id must be unique
        self._form: Form | None = None
        self._select: dict | None = None
        self._in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if "id" in a:
            self.ids.append(a["id"])
        for name in a:
            if name == "style" or name.startswith(("on", "hx-on", "data-hx-on")):
                self.inline_attrs.append(f"<{tag} {name}>")
        for name in URL_ATTRS:
            if a.get(name):
                self.urls.append(a[name])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if a.get("hx-get"):
            self.links.append(a["hx-get"])
        if tag == "script":
            self._in_script = True
            if a.get("src"):
                self.script_srcs.append(a["src"])
            else:
                self.inline_scripts += 1
        elif tag == "style":
            self.style_elements += 1
        elif tag == "meta" and a.get("name"):
            self.meta[a["name"]] = a.get("content", "")
        elif tag == "body":
            self.body_attrs = a
        elif tag == "form":
            self._form = Form(
                action=a.get("action") or self.url,
                method=(a.get("method") or "get").lower(),
                hx_target=(a.get("hx-target") or "").lstrip("#") or None,
            )
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select", "button") and a.get("name"):
            entry = {
                "name": a["name"],
                "tag": tag,
                "type": (a.get("type") or tag).lower(),
                "value": a.get("value", ""),
                "options": [],
                "multiple": "multiple" in a,
                "required": "required" in a,
                "checked": "checked" in a,
                "selected": [],  # a select's options marked `selected`
            }
            self._form.fields.append(entry)
            if tag == "select":
                self._select = entry
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))
            if "selected" in a:
                self._select["selected"].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "script":
            self._in_script = False

    def duplicate_ids(self) -> list[str]:
        """The ids the page gives to more than one element (invalid HTML; getElementById finds only the first)."""
        return sorted({i for i in self.ids if self.ids.count(i) > 1})


def same_site_path(url: str) -> str | None:
    """The path?query of a link to this site, or None for other sites, anchors and non-HTTP schemes."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != "localhost"):
        return None
    if not parts.path:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")
