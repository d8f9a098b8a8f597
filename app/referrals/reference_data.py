"""Reference lists for referrals. Pure data: ``(code, Vietnamese label)`` tuples, codes stable snake_case."""

from ..cases import reference_data as case_ref


def N_(text: str) -> str:
    return text  # marks a label for translation; shown through _()


# Services a referral may ask for: the case service list plus the trafficking victim-support regimes it lacks
# (Law 53/2024 Art. 37, NĐ 162/2025 Art. 17-25; domain-vietnam §2). Codes and grouping are ours.
EXTRA_SERVICE_KINDS = (
    ("psychological", N_("Hỗ trợ tâm lý chuyên sâu")),
    ("initial_allowance", N_("Trợ cấp khó khăn ban đầu")),
    ("loans", N_("Hỗ trợ vay vốn (Ngân hàng Chính sách xã hội)")),
    ("health_insurance", N_("Thẻ bảo hiểm y tế")),
)
SERVICE_KINDS = (
    tuple(k for k in case_ref.SERVICE_KINDS if k[0] != "other") + EXTRA_SERVICE_KINDS + (("other", N_("Khác")),)
)
