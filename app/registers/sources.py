"""The registers' value sources (app/valuesources): the figures an indicator definition may name instead of a
typed number. Each counts valid entries of the units in the period, from plain columns only."""

from datetime import date

from flask_babel import lazy_gettext as _l

from .. import valuesources
from . import counts


def _value(figure: counts.Figure, *, amount: bool = False) -> valuesources.SourceValue:
    return valuesources.SourceValue(
        figure.amount if amount else figure.value, breakdown={} if amount else figure.breakdown
    )


@valuesources.value_source(
    "register:payments.mothers_supported", label=_l("Bà mẹ được chi hỗ trợ sinh con tại cơ sở y tế (gói 2)")
)
def _mothers(units: frozenset[str], start: date, end: date) -> valuesources.SourceValue:
    return _value(counts.mothers_supported(units, start, end))


@valuesources.value_source("register:payments.count", label=_l("Lượt chi hỗ trợ làm mẹ an toàn"))
def _payments(units: frozenset[str], start: date, end: date) -> valuesources.SourceValue:
    return _value(counts.payments(units, start, end))


@valuesources.value_source("register:payments.amount", label=_l("Số tiền đã chi hỗ trợ làm mẹ an toàn (đồng)"))
def _amount(units: frozenset[str], start: date, end: date) -> valuesources.SourceValue:
    return _value(counts.payments(units, start, end), amount=True)


@valuesources.value_source("register:events.count", label=_l("Sự kiện cộng đồng đã tổ chức"))
def _events(units: frozenset[str], start: date, end: date) -> valuesources.SourceValue:
    return _value(counts.events(units, start, end))


@valuesources.value_source("register:events.policy_dialogue", label=_l("Cuộc đối thoại chính sách đã tổ chức"))
def _dialogues(units: frozenset[str], start: date, end: date) -> valuesources.SourceValue:
    return _value(counts.events(units, start, end, kind="policy_dialogue"))


@valuesources.value_source("register:events.communication", label=_l("Cuộc truyền thông tại cộng đồng"))
def _communication(units: frozenset[str], start: date, end: date) -> valuesources.SourceValue:
    return _value(counts.events(units, start, end, kind="communication"))


@valuesources.value_source("register:events.participants", label=_l("Người tham dự sự kiện cộng đồng"))
def _participants(units: frozenset[str], start: date, end: date) -> valuesources.SourceValue:
    return _value(counts.participants(units, start, end))
