"""The unit tree: Điện Biên → Tuần Giáo → 19 communes (2022), the 2025 communes with lineage, the agencies."""

import sqlalchemy as sa

from app.extensions import db


def test_tree_and_lineage(ctx):
    from app.units.models import Unit, UnitLineage
    from app.units.queries import by_code, scope_ids

    province, district = by_code("11"), by_code("099")
    assert province.kind == "province" and "Điện Biên" in province.name
    assert district.kind == "district" and district.parent_id == province.id
    # The communes of the 2022 plan, loaded from the reference data (other tests may add units to the tree).
    from app.units.reference_data import UNITS

    codes = [u["code"] for u in UNITS if u["kind"] == "commune" and u["parent"] == "099"]
    old = db.session.scalars(sa.select(Unit).where(Unit.code.in_(codes))).all()
    assert len(codes) == 19 and len(old) == 19 and all(u.parent_id == district.id for u in old)
    new = db.session.scalars(sa.select(Unit).where(Unit.kind == "commune", Unit.code.startswith("2025-"))).all()
    assert new
    lineage = db.session.scalars(sa.select(UnitLineage)).all()
    new_ids = {u.id for u in new}
    assert {link.new_id for link in lineage} <= new_ids | {u.id for u in db.session.scalars(sa.select(Unit))}
    covered_old = {link.old_id for link in lineage if link.new_id in new_ids}
    assert {u.id for u in old} <= covered_old, "every 2022 commune has a 2025 successor"
    pu_nhung = by_code("2025-03260")
    assert "Pú Nhung" in pu_nhung.name and pu_nhung.valid_from is not None
    assert by_code("03260").name == "Xã Rạng Đông" and by_code("03260").valid_to is not None
    # a role at a new commune sees the records of the communes merged into it
    assert by_code("03260").id in scope_ids(pu_nhung)


def test_agencies_are_loaded(ctx):
    from app.units.models import Unit

    names = " | ".join(db.session.scalars(sa.select(Unit.name).where(Unit.kind == "agency")))
    for part in ("Lao động", "Trung tâm Y tế", "Công an", "Trợ giúp pháp lý", "Sở Y tế"):
        assert part in names, part
