"""The statistics files: aggregates only, suppressed, audited, after step-up."""

from flask_login import current_user

from ...audit import services as audit
from ...auth.permissions import permission_required
from ...auth.stepup import step_up_required
from .. import circular07
from . import bp
from .common import root_or_404, selected_year, xlsx


@bp.get("/circular-07.xlsx")
@permission_required("statistics.export")
@step_up_required
def circular07_export():
    """The domestic-violence statistics of Circular 07/2017/TT-BVHTTDL as an Excel report."""
    root = root_or_404("statistics.export")
    year = selected_year()
    content = circular07.workbook(circular07.build(root, year))
    audit.record(current_user, "statistics.export", detail={"output": "circular07", "unit_id": root.id, "year": year})
    return xlsx(content, f"thong-ke-blgd-tt07-{root.code}-{year}.xlsx")
