"""The Điện Biên service directory as it stands at the end of 2026, and the 2022 services it replaced.

Pure data, loaded by `flask --app wsgi setup` (`services.load_reference`); legal-2026.md §4 lists who receives
what since the 2025 reform. Each closed service names its successor, so an old referral keeps its addressee
and new work is offered only the live successor.

Marks as in the units data: [S] from a public source, [I] inferred (name or date to be confirmed by the
province; an admin corrects it in the directory pages, the data is not code).
"""

from ..units.reference_data import LAST_DAY_BEFORE_REFORM, REFORM_DATE


def N_(text: str) -> str:
    return text


SERVICE_TYPES = (
    ("social_protection", N_("Bảo trợ xã hội")),
    ("health", N_("Y tế")),
    ("police", N_("Công an, biên phòng")),
    ("justice", N_("Tư pháp, toà án")),
    ("legal_aid", N_("Trợ giúp pháp lý")),
    ("shelter", N_("Nơi tạm lánh")),
    ("psychosocial", N_("Tư vấn tâm lý, xã hội")),
    ("livelihood", N_("Việc làm, sinh kế")),
    ("credit", N_("Vay vốn")),
    ("education", N_("Giáo dục")),
)
LANGUAGES = (("vi", N_("Tiếng Việt")), ("thai", N_("Tiếng Thái")), ("hmong", N_("Tiếng H'Mông")))
ACCEPTS = (("dv", N_("Bạo lực gia đình")), ("trafficking", N_("Mua bán người")), ("children", N_("Trẻ em")))

ALL = ("dv", "trafficking", "children")
LOCAL = ("vi", "thai", "hmong")
OFFICE_HOURS = "Thứ Hai - Thứ Sáu, 7:30-11:30, 13:30-17:00"

# The 2025 communes (QĐ 19/2025) the directory covers: (unit code, official code, name).
COMMUNES = (
    ("2025-03253", "03253", "xã Tuần Giáo"),
    ("2025-03295", "03295", "xã Quài Tở"),
    ("2025-03268", "03268", "xã Mường Mùn"),
    ("2025-03260", "03260", "xã Pú Nhung"),
    ("2025-03283", "03283", "xã Chiềng Sinh"),
    ("2025-03301", "03301", "xã Búng Lao"),
    ("2025-03217", "03217", "xã Tủa Chùa"),
    ("2025-03244", "03244", "xã Sáng Nhè"),
)
TUAN_GIAO = tuple(c[0] for c in COMMUNES[:5])  # the communes formed wholly from former Tuần Giáo


def _agency(code, name, parent, valid_from=None, valid_to=None):
    return {
        "code": code,
        "kind": "agency",
        "name": name,
        "parent": parent,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "official_code": None,
        "code_system": None,
    }


# Agencies the directory needs beyond those of the units data (which has Sở Y tế, Công an tỉnh, the legal aid
# centre, the communes' Phòng Văn hoá - Xã hội and the 2022 district bodies).
AGENCY_UNITS = (
    _agency("AG-CTXH-11", "Trung tâm Công tác xã hội tỉnh Điện Biên", "11"),
    # [I] the district health centre continues under Sở Y tế as a regional centre from 1/7/2025.
    _agency("AG-TTYT-KV-TG", "Trung tâm Y tế khu vực Tuần Giáo", "11", valid_from=REFORM_DATE),
    # [I] district courts became regional people's courts on 1/7/2025 (Law 34/2024 on court organisation).
    _agency("AG-TAND-KV-TG", "Tòa án nhân dân khu vực Tuần Giáo", "11", valid_from=REFORM_DATE),
    _agency("AG-TAND-099", "Tòa án nhân dân huyện Tuần Giáo", "099", valid_to=LAST_DAY_BEFORE_REFORM),
    _agency("AG-HLHPN-099", "Hội Liên hiệp Phụ nữ huyện Tuần Giáo", "099", valid_to=LAST_DAY_BEFORE_REFORM),
    _agency("AG-DVVL-11", "Trung tâm Dịch vụ việc làm tỉnh Điện Biên (Sở Nội vụ)", "11"),
    _agency("AG-NHCSXH-11", "Ngân hàng Chính sách xã hội - Chi nhánh tỉnh Điện Biên", "11"),
    _agency("AG-SGDDT-11", "Sở Giáo dục và Đào tạo tỉnh Điện Biên", "11"),
    _agency("AG-BDBP-11", "Bộ đội Biên phòng tỉnh Điện Biên", "11"),
    _agency("AG-HLHPN-11", "Hội Liên hiệp Phụ nữ tỉnh Điện Biên", "11"),
    *(
        a
        for code, official, name in COMMUNES
        for a in (
            _agency(f"AG-CAX-{official}", f"Công an {name}", code, valid_from=REFORM_DATE),
            _agency(f"AG-TYT-{official}", f"Trạm Y tế {name}", code, valid_from=REFORM_DATE),
            _agency(f"AG-UBND-{official}", f"Ủy ban nhân dân {name}", code, valid_from=REFORM_DATE),
            _agency(f"AG-HPN-{official}", f"Hội Liên hiệp Phụ nữ {name}", code, valid_from=REFORM_DATE),
        )
    ),
)


def _service(
    code,
    name,
    kind,
    unit,
    areas,
    *,
    accepts=ALL,
    languages=("vi",),
    contact="",
    hours=OFFICE_HOURS,
    valid_from=None,
    valid_to=None,
    successor=None,
    note="",
):
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "unit": unit,
        "areas": tuple(areas),
        "accepts": tuple(accepts),
        "languages": tuple(languages),
        "contact": contact,
        "hours": hours,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "successor": successor,
        "note": note,
    }


PROVINCE = ("11",)

# Live services (contacts are the offices' switchboards as published; [I] where not checked).
LIVE = (
    _service(
        "SV-SYT-BTXH",
        "Bảo trợ xã hội, hỗ trợ nạn nhân (Sở Y tế Điện Biên)",
        "social_protection",
        "AG-SYT-11",
        PROVINCE,
        contact="Sở Y tế tỉnh Điện Biên, phường Mường Thanh",
        valid_from=REFORM_DATE,
        note="Tiếp nhận chức năng bảo trợ xã hội, hỗ trợ nạn nhân từ ngành LĐ-TB&XH (legal-2026 §4).",
    ),
    _service(
        "SV-SYT-XMNN",
        "Xác minh nạn nhân bị mua bán (Sở Y tế, trong 3 ngày)",
        "social_protection",
        "AG-SYT-11",
        PROVINCE,
        accepts=("trafficking", "children"),
        valid_from=REFORM_DATE,
        note="Luật 53/2024 Điều 27: Sở Y tế xác minh trong 3 ngày cùng Công an tỉnh.",
    ),
    _service(
        "SV-CTXH-TAMLANH",
        "Nơi tạm lánh (Trung tâm Công tác xã hội tỉnh)",
        "shelter",
        "AG-CTXH-11",
        PROVINCE,
        languages=LOCAL,
        hours="24/7",
    ),
    _service(
        "SV-CTXH-TAMLY",
        "Tư vấn tâm lý (Trung tâm Công tác xã hội tỉnh)",
        "psychosocial",
        "AG-CTXH-11",
        PROVINCE,
        languages=LOCAL,
    ),
    _service(
        "SV-TTYT-KV-TG",
        "Khám, điều trị (Trung tâm Y tế khu vực Tuần Giáo)",
        "health",
        "AG-TTYT-KV-TG",
        TUAN_GIAO,
        languages=LOCAL,
        hours="24/7",
        valid_from=REFORM_DATE,
    ),
    _service(
        "SV-TAND-KV-TG",
        "Giải quyết vụ việc dân sự, cấm tiếp xúc (Tòa án nhân dân khu vực)",
        "justice",
        "AG-TAND-KV-TG",
        TUAN_GIAO,
        accepts=("dv", "children"),
        valid_from=REFORM_DATE,
    ),
    _service("SV-TGPL-11", "Trợ giúp pháp lý miễn phí", "legal_aid", "AG-TGPL-11", PROVINCE, languages=LOCAL),
    _service(
        "SV-DVVL-11", "Tư vấn việc làm, học nghề", "livelihood", "AG-DVVL-11", PROVINCE, accepts=("dv", "trafficking")
    ),
    _service("SV-NHCSXH-11", "Vay vốn ưu đãi", "credit", "AG-NHCSXH-11", PROVINCE, accepts=("dv", "trafficking")),
    _service(
        "SV-SGDDT-11",
        "Hỗ trợ đi học, học văn hoá cho trẻ em",
        "education",
        "AG-SGDDT-11",
        PROVINCE,
        accepts=("children",),
    ),
    _service(
        "SV-BDBP-11",
        "Tiếp nhận, giải cứu nạn nhân qua biên giới",
        "police",
        "AG-BDBP-11",
        PROVINCE,
        accepts=("trafficking", "children"),
        hours="24/7",
    ),
    _service(
        "SV-CA-11",
        "Điều tra, xác minh mua bán người (Công an tỉnh)",
        "police",
        "AG-CA-11",
        PROVINCE,
        accepts=("trafficking", "children"),
        hours="24/7",
    ),
    _service(
        "SV-HLHPN-11",
        "Hỗ trợ phụ nữ, địa chỉ tin cậy (Hội LHPN tỉnh)",
        "psychosocial",
        "AG-HLHPN-11",
        PROVINCE,
        languages=LOCAL,
    ),
    *(
        s
        for code, official, name in COMMUNES
        for s in (
            _service(
                f"SV-CAX-{official}",
                f"Công an {name}",
                "police",
                f"AG-CAX-{official}",
                (code,),
                hours="24/7",
                valid_from=REFORM_DATE,
            ),
            _service(
                f"SV-TYT-{official}",
                f"Trạm Y tế {name}",
                "health",
                f"AG-TYT-{official}",
                (code,),
                languages=LOCAL,
                valid_from=REFORM_DATE,
            ),
            _service(
                f"SV-UBND-{official}",
                f"Ủy ban nhân dân {name} (tiếp nhận, hỗ trợ khẩn cấp)",
                "social_protection",
                f"AG-UBND-{official}",
                (code,),
                languages=LOCAL,
                valid_from=REFORM_DATE,
            ),
            _service(
                f"SV-PVHXH-{official}",
                f"Phòng Văn hóa - Xã hội {name}",
                "social_protection",
                f"AG-PVHXH-{official}",
                (code,),
                languages=LOCAL,
                valid_from=REFORM_DATE,
            ),
            _service(
                f"SV-HPN-{official}",
                f"Hội Liên hiệp Phụ nữ {name}",
                "psychosocial",
                f"AG-HPN-{official}",
                (code,),
                languages=LOCAL,
                valid_from=REFORM_DATE,
            ),
        )
    ),
)

# The 2022 plan's district services, closed with the district level on 1/7/2025 (legal-2026 §4).
CLOSED = (
    _service(
        "SV-LDTBXH-099",
        "Phòng LĐ-TB&XH huyện Tuần Giáo",
        "social_protection",
        "AG-LDTBXH-099",
        ("099",),
        valid_to=LAST_DAY_BEFORE_REFORM,
        successor="SV-SYT-BTXH",
    ),
    _service(
        "SV-TTYT-099",
        "Trung tâm Y tế huyện Tuần Giáo",
        "health",
        "AG-TTYT-099",
        ("099",),
        valid_to=LAST_DAY_BEFORE_REFORM,
        successor="SV-TTYT-KV-TG",
    ),
    _service(
        "SV-CA-099",
        "Công an huyện Tuần Giáo",
        "police",
        "AG-CA-099",
        ("099",),
        valid_to=LAST_DAY_BEFORE_REFORM,
        successor="SV-CA-11",
    ),
    _service(
        "SV-TAND-099",
        "Tòa án nhân dân huyện Tuần Giáo",
        "justice",
        "AG-TAND-099",
        ("099",),
        accepts=("dv", "children"),
        valid_to=LAST_DAY_BEFORE_REFORM,
        successor="SV-TAND-KV-TG",
    ),
    _service(
        "SV-HLHPN-099",
        "Hội LHPN huyện Tuần Giáo",
        "psychosocial",
        "AG-HLHPN-099",
        ("099",),
        valid_to=LAST_DAY_BEFORE_REFORM,
        successor="SV-HLHPN-11",
    ),
)

SERVICES = LIVE + CLOSED


def validate() -> None:
    """Check the data: unique codes, known types, successors that exist and are not the service itself."""
    codes = [s["code"] for s in SERVICES]
    assert len(codes) == len(set(codes)), "duplicate service codes"
    kinds = {k for k, _ in SERVICE_TYPES}
    for s in SERVICES:
        assert s["kind"] in kinds, s["code"]
        assert set(s["accepts"]) <= set(ALL) and set(s["languages"]) <= set(LOCAL), s["code"]
        assert s["successor"] in (None, *codes) and s["successor"] != s["code"], s["code"]
        assert (s["successor"] is None) == (s["valid_to"] is None), s["code"]
