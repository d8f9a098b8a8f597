"""Helpers of the register tests: entries made through the services, as a reporter would."""

from datetime import date

from app.units.queries import by_code

PERSON = {
    "full_name": "Lò Thị Mẹ Tròn",
    "id_number": "011299887766",
    "address": "Nhà thứ ba đầu bản Hua Sát",
    "note": "Sinh con thứ hai tại trạm y tế",
}


def payment(code: str = "03295", *, actor="test", **over):
    from app.registers import services

    data = {
        "package": "birth_care",
        "amount": 1_200_000,
        "paid_on": date(2026, 3, 2),
        "voucher_number": f"PC-{over.pop('voucher', '001')}",
        "ethnic_code": "08",
        "age_band": "18_29",
        **PERSON,
        **over,
    }
    return services.save_payment(None, by_code(code), data, actor=actor)


def event(code: str = "03295", *, actor="test", **over):
    from app.registers import services

    commune = by_code(code)
    data = {
        "kind": "policy_dialogue",
        "held_on": date(2026, 4, 10),
        "topic": "Đối thoại thử",
        "participants": 30,
        "female": 18,
        "male": 12,
        "by_ethnicity": {"03": 10, "08": 15, "01": 5, "23": 0, "other": 0},
        **over,
    }
    return services.save_event(None, commune, over.pop("place", commune), data, actor=actor)
