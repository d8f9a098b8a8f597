"""Small horizontal bar charts drawn on the server as SVG: no script, no style attribute (the CSP forbids
both); sizes are SVG presentation attributes in a viewBox, so the chart scales down to a 360 px screen."""

from dataclasses import dataclass

from ..web.filters import number

WIDTH = 320  # viewBox width; the chart fills its container
LABEL_HEIGHT = 14
BAR_HEIGHT = 10
ROW_GAP = 8


@dataclass
class Bar:
    label: str
    y_label: int
    y: int
    target_width: int
    actual_width: int
    text: str


@dataclass
class Chart:
    bars: list
    height: int
    width: int = WIDTH


def bar_chart(figures, label_of) -> Chart:
    """One pair of bars per figure: the target behind, the achievement in front."""
    values = [v for f in figures for v in (f.target, f.achieved) if isinstance(v, int | float)]
    top = max(values + [1])
    bars, y = [], 0
    for f in figures:
        scale = lambda v: 0 if not isinstance(v, int | float) else max(0, round(WIDTH * v / top))  # noqa: E731
        # The label is read as text: numbers the Vietnamese way (4,7; 1.234), by Babel as in the tables.
        achieved = "—" if f.achieved is None else number(f.achieved)
        target = "—" if f.target is None else number(f.target)
        bars.append(
            Bar(
                label_of(f),
                y + LABEL_HEIGHT - 3,
                y + LABEL_HEIGHT,
                scale(f.target),
                scale(f.achieved),
                f"{achieved} / {target}",
            )
        )
        y += LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    return Chart(bars, max(y, 1))
