"""Numbers on the register pages and in chart labels are written the Vietnamese way through Babel (dot thousands,
comma decimal): a form's message about 1234 participants says "1.234", a chart label of 4.7 against 1234 reads
"4,7 / 1.234"."""

import re
from dataclasses import dataclass

from test_registers_pages import _event_form


def test_the_event_forms_messages_write_large_counts_with_dot_thousands(app, client, make_user, login, unit):
    login(client, make_user("reporter", "03295"))
    place = unit("03295").id
    big = {"participants": "1234", "female": "1000", "male": "200", "eth_03": "1234", "eth_08": "0", "eth_01": "0"}
    html = client.post("/registers/events/new", data=_event_form(place, **big)).get_data(as_text=True)
    assert "Số nữ cộng số nam (1.200) phải bằng tổng số người tham gia (1.234)." in html
    # only the kept input is written as typed ("1234" inside an id is not a number written)
    assert not re.search(r"(?<![\w-])1234(?![\w-])", html.replace('value="1234"', ""))
    big.update(male="234", eth_03="1000")
    html = client.post("/registers/events/new", data=_event_form(place, **big)).get_data(as_text=True)
    assert "Tổng theo dân tộc (1.000) phải bằng tổng số người tham gia (1.234)." in html
    big.update(eth_08="234")
    assert client.post("/registers/events/new", data=_event_form(place, **big)).status_code == 303
    listing = client.get("/registers/events").get_data(as_text=True)
    assert "1.234" in listing and "1.000/234" in listing


@dataclass
class _Figure:
    name: str
    target: float | int | None
    achieved: float | int | None


def test_chart_labels_are_written_the_vietnamese_way():
    from app.indicators.charts import bar_chart

    chart = bar_chart([_Figure("Xã A", 1234, 4.7), _Figure("Xã B", None, 12500)], lambda f: f.name)
    assert [b.text for b in chart.bars] == ["4,7 / 1.234", "12.500 / —"]
