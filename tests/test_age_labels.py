"""Every age label of the interface is written one way: an en dash between the years with no spaces around it
("16–59"), and "… trở lên" / "and over" for an open band, never "60+" or a hyphen. The Circular 07/2017 groups
have one label set (app/cases/reference_data.py) that the statistics pages, the workbook and the case form
share."""

import re

import pytest

from app.cases import reference_data as cases_ref
from app.indicators.rules import DISAGGREGATION_OPTIONS
from app.protection import reference_data as protection_ref

_BAD = re.compile(r"\d\s*-\s*\d|\d\s+–|–\s+\d|\d\s*—\s*\d|\d\+")


def _labels():
    yield from (label for _code, label in cases_ref.AGE_BANDS)
    yield from (label for _code, label in cases_ref.VICTIM_AGE_GROUPS)
    yield from (str(label) for _code, label in DISAGGREGATION_OPTIONS["age_band"])
    for code in protection_ref.PERPETRATOR_AGE_BANDS:
        yield from (code.vi, code.en)


@pytest.mark.parametrize("label", list(_labels()))
def test_an_age_label_uses_an_en_dash_without_spaces(app, label):
    assert not _BAD.search(label), label


def test_the_circular_groups_are_the_codes_the_statistics_count():
    from app.protection import stats
    from app.statistics import circular07, source

    codes = [code for code, _label in cases_ref.VICTIM_AGE_GROUPS]
    assert codes == [source.UNDER_16, source.WOMEN_16_59, source.AGE_60_PLUS]
    assert [c for c, _ in circular07.AGE_GROUPS] == [c for c, _ in stats.AGE_GROUPS] == codes


def test_the_case_form_and_the_statistics_show_the_same_words(app):
    from app.protection import stats

    with app.test_request_context():
        assert [str(label) for _code, label in stats.AGE_GROUPS] == [
            "Dưới 16 tuổi",
            "Phụ nữ 16–59 tuổi",
            "Từ 60 tuổi trở lên",
        ]
    assert dict(cases_ref.AGE_BANDS)["60_plus"] == dict(cases_ref.VICTIM_AGE_GROUPS)["age_60_plus"]
