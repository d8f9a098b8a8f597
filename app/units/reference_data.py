"""Reference units of former Tuần Giáo district (Điện Biên) and their 1 July 2025 successors.

Pure data, loaded by ``flask --app wsgi setup``; nothing here touches Flask or the database.

Unit code convention
--------------------
Unit codes are unique keys inside Tin Cậy. They are *not* always the official code, because the
2025 codes (QĐ 19/2025/QĐ-TTg) reuse a constituent's 2004 code: 03260 was Xã Rạng Đông and is now
Xã Pú Nhung; 03283 was Xã Nà Sáy and is now Xã Chiềng Sinh, and so on. So:

* Units of the QĐ 124/2004/QĐ-TTg system (before 1 July 2025) keep the plain official code:
  province ``"11"``, district ``"099"``, communes ``"03253"`` … ``"03304"``.
* Units created on 1 July 2025 under QĐ 19/2025/QĐ-TTg use ``"2025-"`` + the official code:
  ``"2025-03260"`` is the new Xã Pú Nhung, while ``"03260"`` stays the old Xã Rạng Đông.
* Điện Biên province kept its code 11 and its identity through the reform, so it is one unit,
  ``"11"``, valid throughout.
* Units that have no official code: trusted addresses ``"TA-nn"``, agencies ``"AG-…"``.

Every unit also carries ``official_code`` (the code as printed in the decision, or ``None``) and
``code_system`` (``"QĐ124/2004"``, ``"QĐ19/2025"`` or ``None``), so reports can print the official
code while the app keys on ``code``.

Sources
-------
* 2004 codes of district 099: three public datasets agree (code repositories found by search: a
  devvn ``xaphuongthitran`` SQL dump, a tab-separated ward list and an ``administrative_units``
  SQL dump) [S]. Not checked against the text of QĐ 124/2004.
* 2025 codes: thanglequoc/vietnamese-provinces-database (``json/geojson/11_dien_bien/wards/``),
  which follows QĐ 19/2025, and two further datasets that agree [S].
* Merger mapping: reference/domain-vietnam.md §3 and a public restructuring script listing
  Điện Biên's 45 items under NQ 1661/NQ-UBTVQH15 of 16/6/2025 [S]; Quài Tở is [V] in the domain
  notes.
* Trusted addresses and agencies: see the comments at their definitions.
"""

import unicodedata

PROVINCE = "province"
DISTRICT = "district"
COMMUNE = "commune"
VILLAGE = "village"
TRUSTED_ADDRESS = "trusted_address"
AGENCY = "agency"
KINDS = (PROVINCE, DISTRICT, COMMUNE, VILLAGE, TRUSTED_ADDRESS, AGENCY)

QD124 = "QĐ124/2004"
QD19 = "QĐ19/2025"
CODE_SYSTEMS = (QD124, QD19)

NEW_CODE_PREFIX = "2025-"
REFORM_DATE = "2025-07-01"
LAST_DAY_BEFORE_REFORM = "2025-06-30"


def _unit(code, kind, name, parent, valid_from=None, valid_to=None, official_code=None, code_system=None):
    return {
        "code": code,
        "kind": kind,
        "name": name,
        "parent": parent,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "official_code": official_code,
        "code_system": code_system,
    }


def _old_commune(code, name):
    """A commune-level unit of Tuần Giáo under QĐ 124/2004, closed by the 2025 reform."""
    return _unit(code, COMMUNE, name, "099", None, LAST_DAY_BEFORE_REFORM, code, QD124)


def _new_commune(official_code, name):
    """A commune created on 1 July 2025 under QĐ 19/2025, directly under the province."""
    return _unit(NEW_CODE_PREFIX + official_code, COMMUNE, name, "11", REFORM_DATE, None, official_code, QD19)


# --- Province and district -------------------------------------------------------------------

_PROVINCE_AND_DISTRICT = (
    # Code 11 is the same in QĐ 124/2004 and QĐ 19/2025; Điện Biên was not merged in 2025.
    _unit("11", PROVINCE, "Tỉnh Điện Biên", None, official_code="11", code_system=QD124),
    # District level abolished on 1 July 2025.
    _unit("099", DISTRICT, "Huyện Tuần Giáo", "11", None, LAST_DAY_BEFORE_REFORM, "099", QD124),
)

# --- The 19 commune-level units of Tuần Giáo in the 2022 plan (1 thị trấn + 18 xã) -------------
# Codes from QĐ 124/2004, as given identically by three public datasets [S].

_OLD_COMMUNES = (
    _old_commune("03253", "Thị trấn Tuần Giáo"),
    _old_commune("03259", "Xã Phình Sáng"),
    _old_commune("03260", "Xã Rạng Đông"),
    _old_commune("03262", "Xã Mùn Chung"),
    _old_commune("03263", "Xã Nà Tòng"),
    _old_commune("03265", "Xã Ta Ma"),
    _old_commune("03268", "Xã Mường Mùn"),
    _old_commune("03269", "Xã Pú Xi"),
    _old_commune("03271", "Xã Pú Nhung"),
    _old_commune("03274", "Xã Quài Nưa"),
    _old_commune("03277", "Xã Mường Thín"),
    _old_commune("03280", "Xã Tỏa Tình"),
    _old_commune("03283", "Xã Nà Sáy"),
    _old_commune("03284", "Xã Mường Khong"),
    _old_commune("03289", "Xã Quài Cang"),
    _old_commune("03295", "Xã Quài Tở"),
    _old_commune("03298", "Xã Chiềng Sinh"),
    _old_commune("03299", "Xã Chiềng Đông"),
    _old_commune("03304", "Xã Tênh Phông"),
)

# --- Communes from 1 July 2025 (QĐ 19/2025) -------------------------------------------------------
# The five communes formed wholly from former Tuần Giáo, then the three outside communes that
# absorbed one former Tuần Giáo commune each.

_NEW_COMMUNES = (
    _new_commune("03253", "Xã Tuần Giáo"),
    _new_commune("03295", "Xã Quài Tở"),
    _new_commune("03268", "Xã Mường Mùn"),
    _new_commune("03260", "Xã Pú Nhung"),
    _new_commune("03283", "Xã Chiềng Sinh"),
    _new_commune("03301", "Xã Búng Lao"),  # from Ẳng Tở, Chiềng Đông, Búng Lao (former Mường Ảng)
    _new_commune("03217", "Xã Tủa Chùa"),  # from TT Tủa Chùa, Mường Báng, Nà Tòng
    _new_commune("03244", "Xã Sáng Nhè"),  # from Xá Nhè, Mường Đun, Phình Sáng
)

# --- Lineage of the communes: old commune → new commune on 1 July 2025 ---------------------------
# Whole communes were merged (no commune was split) according to the sources above.

_MERGERS = (
    ("2025-03253", ("03253", "03289", "03274"), "TT Tuần Giáo, Quài Cang, Quài Nưa → Xã Tuần Giáo"),
    ("2025-03295", ("03295", "03280", "03304"), "Quài Tở, Tỏa Tình, Tênh Phông → Xã Quài Tở"),
    ("2025-03268", ("03268", "03262", "03269"), "Mường Mùn, Mùn Chung, Pú Xi → Xã Mường Mùn"),
    ("2025-03260", ("03271", "03260", "03265"), "Pú Nhung, Rạng Đông, Ta Ma → Xã Pú Nhung"),
    (
        "2025-03283",
        ("03298", "03283", "03277", "03284"),
        "Chiềng Sinh, Nà Sáy, Mường Thín, Mường Khong → Xã Chiềng Sinh",
    ),
    ("2025-03301", ("03299",), "Chiềng Đông (cùng Ẳng Tở, Búng Lao của huyện Mường Ảng) → Xã Búng Lao"),
    ("2025-03217", ("03263",), "Nà Tòng (cùng TT Tủa Chùa, Mường Báng của huyện Tủa Chùa) → Xã Tủa Chùa"),
    ("2025-03244", ("03259",), "Phình Sáng (cùng Xá Nhè, Mường Đun của huyện Tủa Chùa) → Xã Sáng Nhè"),
)
SUCCESSOR = {old: new for new, olds, _note in _MERGERS for old in olds}  # old commune code → new commune code
_NAMES = {u["code"]: u["name"] for u in _OLD_COMMUNES + _NEW_COMMUNES}

# --- Trusted addresses (địa chỉ tin cậy cộng đồng) -----------------------------------------------
# The plan (section III, item 4) sets 7 trusted addresses for the district but does NOT name their communes.
# The placement below is a PLACEHOLDER chosen by us (one in the town, the rest spread over the
# 2025 commune clusters); it is configurable reference data: an admin must replace it with the
# real list from Hội LHPN.
#
# A trusted address follows its commune's merger as data, as the commune does: the one under the pre-2025
# commune ("TA-nn") ends on 30/6/2025 and keeps the cases recorded there (history is not rewritten; it rolls
# up through LINEAGE); its successor ("2025-TA-nn", as the 2025 communes are coded) sits under the new commune
# from 1/7/2025, and new cases are opened there. The address and the people who run it stay; the commune it
# belongs to, and reports through, changed.


def _old_trusted_address(number, old_commune):
    name = _NAMES[old_commune]
    return _unit(
        f"TA-0{number}",
        TRUSTED_ADDRESS,
        f"Địa chỉ tin cậy cộng đồng số {number} ({name})",
        old_commune,
        valid_to=LAST_DAY_BEFORE_REFORM,
    )


def _successor(old):
    """The trusted address under the new commune: "Địa chỉ tin cậy cộng đồng số 6 (Xã Chiềng Sinh, trước là Xã
    Mường Thín)" (the old commune is named when the new one is called otherwise)."""
    new_commune = SUCCESSOR[old["parent"]]
    old_name, new_name = _NAMES[old["parent"]], _NAMES[new_commune]
    place = new_name if old_name == new_name else f"{new_name}, trước là {old_name}"
    number = old["name"].split(" (")[0]
    return _unit(NEW_CODE_PREFIX + old["code"], TRUSTED_ADDRESS, f"{number} ({place})", new_commune, REFORM_DATE)


_OLD_TRUSTED_ADDRESSES = (
    _old_trusted_address(1, "03253"),  # Thị trấn Tuần Giáo
    _old_trusted_address(2, "03295"),  # Quài Tở
    _old_trusted_address(3, "03268"),  # Mường Mùn
    _old_trusted_address(4, "03271"),  # Pú Nhung
    _old_trusted_address(5, "03298"),  # Chiềng Sinh
    _old_trusted_address(6, "03277"),  # Mường Thín
    _old_trusted_address(7, "03289"),  # Quài Cang
)
_NEW_TRUSTED_ADDRESSES = tuple(_successor(old) for old in _OLD_TRUSTED_ADDRESSES)

# --- Receiving agencies ----------------------------------------------------------------------
# Agency succession is deliberately NOT in LINEAGE: a referral to a closed agency is remapped only
# when an admin maps it (the successor depends on the service asked for). End dates of district
# bodies are set to the end of the district level; the actual dates of earlier reorganisations
# (e.g. the district labour office and district police in early 2025) are to be confirmed.

_AGENCIES = (
    # District level (to 30/6/2025).
    _unit(
        "AG-LDTBXH-099",
        AGENCY,
        "Phòng Lao động - Thương binh và Xã hội huyện Tuần Giáo",
        "099",
        valid_to=LAST_DAY_BEFORE_REFORM,
    ),
    # [I] After 2025 the district health centre is expected to continue under Sở Y tế as a regional
    # centre; its successor and name are not verified, so it closes with the district here.
    _unit("AG-TTYT-099", AGENCY, "Trung tâm Y tế huyện Tuần Giáo", "099", valid_to=LAST_DAY_BEFORE_REFORM),
    # [I] District-level police were reportedly dissolved on 1/3/2025 in the police reorganisation;
    # not verified for Tuần Giáo, so the end date follows the district. Admin to confirm.
    _unit("AG-CA-099", AGENCY, "Công an huyện Tuần Giáo", "099", valid_to=LAST_DAY_BEFORE_REFORM),
    # Province level.
    _unit("AG-TGPL-11", AGENCY, "Trung tâm Trợ giúp pháp lý nhà nước tỉnh Điện Biên", "11"),
    # Sở Y tế took over social protection and trafficking-victim support (NĐ 162/2025; domain §2-3).
    _unit("AG-SYT-11", AGENCY, "Sở Y tế tỉnh Điện Biên", "11"),
    # Added by us: the provincial police verify trafficking reports after 2025 (domain §2, [S]).
    _unit("AG-CA-11", AGENCY, "Công an tỉnh Điện Biên", "11"),
    *(
        # Commune level from 1/7/2025: the Phòng Văn hóa - Xã hội of each commune that took over former
        # Tuần Giáo communes (domain §3 [V] for the office; the three outside communes are included
        # because they now serve Chiềng Đông, Nà Tòng and Phình Sáng).
        _unit(
            "AG-PVHXH-" + c["official_code"],
            AGENCY,
            "Phòng Văn hóa - Xã hội " + c["name"].replace("Xã", "xã", 1),
            c["code"],
            valid_from=REFORM_DATE,
        )
        for c in _NEW_COMMUNES
    ),
)

UNITS = (
    _PROVINCE_AND_DISTRICT + _OLD_COMMUNES + _NEW_COMMUNES + _OLD_TRUSTED_ADDRESSES + _NEW_TRUSTED_ADDRESSES + _AGENCIES
)

# --- Lineage: old unit → new unit on 1 July 2025 ----------------------------------------------------
# The communes (_MERGERS), and each trusted address of a merged commune to its successor.

LINEAGE = tuple(
    {"old": old, "new": new, "effective": REFORM_DATE, "note": "NQ 1661/NQ-UBTVQH15: " + note}
    for new, olds, note in _MERGERS
    for old in olds
) + tuple(
    {
        "old": old["code"],
        "new": new["code"],
        "effective": REFORM_DATE,
        "note": f"Theo xã (NQ 1661/NQ-UBTVQH15): {_NAMES[old['parent']]} → {_NAMES[new['parent']]}",
    }
    for old, new in zip(_OLD_TRUSTED_ADDRESSES, _NEW_TRUSTED_ADDRESSES, strict=True)
)


def validate():
    """Check the reference data; raise AssertionError on the first problem. Called by tests and setup."""
    codes = [u["code"] for u in UNITS]
    assert len(codes) == len(set(codes)), "duplicate unit codes"
    by_code = {u["code"]: u for u in UNITS}
    for u in UNITS:
        assert set(u) == {"code", "kind", "name", "parent", "valid_from", "valid_to", "official_code", "code_system"}, (
            u["code"]
        )
        assert u["kind"] in KINDS, u["code"]
        assert u["name"] and unicodedata.is_normalized("NFC", u["name"]), u["code"]
        assert len(u["code"]) <= 40 and "/" not in u["code"], u["code"]
        assert u["parent"] is None or u["parent"] in by_code, f"{u['code']}: unknown parent {u['parent']}"
        assert u["parent"] is not None or u["kind"] == PROVINCE, u["code"]
        assert u["code_system"] in (*CODE_SYSTEMS, None), u["code"]
        assert (u["official_code"] is None) == (u["code_system"] is None), u["code"]
        if u["code_system"] == QD19:
            assert u["code"] == NEW_CODE_PREFIX + u["official_code"], u["code"]
        elif u["code_system"] == QD124:
            assert u["code"] == u["official_code"], u["code"]
        if u["valid_from"] and u["valid_to"]:
            assert u["valid_from"] <= u["valid_to"], u["code"]
    old = _OLD_COMMUNES
    assert len(old) == 19 and sum(u["name"].startswith("Thị trấn") for u in old) == 1
    for link in LINEAGE:
        before, after = by_code[link["old"]], by_code[link["new"]]
        assert before["kind"] == after["kind"] and before["kind"] in (COMMUNE, TRUSTED_ADDRESS), link
        if before["kind"] == COMMUNE:
            assert before["code_system"] == QD124 and after["code_system"] == QD19, link
        else:  # a trusted address follows its commune: to a successor under the new commune, no day uncovered
            assert SUCCESSOR[before["parent"]] == after["parent"], link
            assert before["valid_to"] == LAST_DAY_BEFORE_REFORM and after["valid_from"] == REFORM_DATE, link
        assert len(link["note"]) <= 300
    olds = [link["old"] for link in LINEAGE]
    assert len(olds) == len(set(olds)), "every old unit maps once"
    assert {c for c in olds if by_code[c]["kind"] == COMMUNE} == {u["code"] for u in old}, "every old commune maps"
    for u in UNITS:  # a trusted address of a merged commune ends with it and has a successor
        if u["kind"] == TRUSTED_ADDRESS and u["parent"] in SUCCESSOR:
            assert u["code"] in olds and u["valid_to"] == LAST_DAY_BEFORE_REFORM, u["code"]
    current = [u for u in UNITS if u["kind"] == TRUSTED_ADDRESS and u["valid_to"] is None]
    assert len(current) == 7 and all(by_code[u["parent"]]["code_system"] == QD19 for u in current)
