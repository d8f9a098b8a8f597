"""Reference lists for referrals. Pure data: ``(code, Vietnamese label)`` tuples, codes stable snake_case."""

from ..cases import reference_data as case_ref

# Services a referral may ask for: the case service list plus the trafficking victim-support regimes it lacks
# (Law 53/2024 Art. 37, NĐ 162/2025 Art. 17-25; domain-vietnam §2). Codes and grouping are ours.
EXTRA_SERVICE_KINDS = (
    ("psychological", "Hỗ trợ tâm lý chuyên sâu"),
    ("initial_allowance", "Trợ cấp khó khăn ban đầu"),
    ("loans", "Hỗ trợ vay vốn (Ngân hàng Chính sách xã hội)"),
    ("health_insurance", "Thẻ bảo hiểm y tế"),
)
SERVICE_KINDS = tuple(k for k in case_ref.SERVICE_KINDS if k[0] != "other") + EXTRA_SERVICE_KINDS + (
    ("other", "Khác"),)
