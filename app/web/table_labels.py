"""Give every cell of a data table the label of its column, on the server, so the narrow-screen card layout
(CSS only, see app.css) shows "label: value" even with JavaScript off; app.js does the same for rows an htmx
swap brings in, and skips cells that already carry a label."""

import html
import re

from markupsafe import Markup, escape

# A table tag with its attributes; quoted values may hold ">" (hx-vals, data attributes).
_TAG = re.compile(r"""<(/?)(table|thead|tbody|tfoot|tr|th|td)\b((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.I)
_MARKUP = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")
_CLASS = re.compile(r"""\bclass\s*=\s*["']([^"']*)["']""", re.I)


def _span(attrs: str, name: str) -> int:
    found = re.search(rf"""\b{name}\s*=\s*["']?(\d+)""", attrs, re.I)
    return max(1, int(found.group(1))) if found else 1


def _text(inner: str) -> str:
    """A header cell's text as the browser's textContent gives it, spaces collapsed."""
    return _SPACES.sub(" ", html.unescape(_MARKUP.sub("", inner))).strip()


class _Table:
    """The column labels of one data table, built from its header rows like app.js does (colspan, rowspan)."""

    def __init__(self, is_data: bool):
        self.is_data = is_data
        self.section = ""
        self.heads: list[dict] = []
        self.col = 0
        self.head_cell: tuple[int, str] | None = None  # where the open header cell's content starts, its attrs

    def add_head(self, text: str, attrs: str) -> None:
        for _ in range(_span(attrs, "colspan")):
            while self.col < len(self.heads) and self.heads[self.col]["rowspan"] > 0:
                self.heads[self.col]["rowspan"] -= 1
                self.col += 1
            while len(self.heads) <= self.col:
                self.heads.append({"text": "", "rowspan": 0})
            prev = self.heads[self.col]["text"]
            merged = f"{prev} · {text}" if prev and text and prev != text else (text or prev)
            self.heads[self.col] = {"text": merged, "rowspan": _span(attrs, "rowspan") - 1}
            self.col += 1

    def label_for(self, attrs: str) -> str:
        text = self.heads[self.col]["text"] if self.col < len(self.heads) else ""
        self.col += _span(attrs, "colspan")
        return text


def label_tables(content) -> Markup:
    """Add data-label="<column header>" to each body and footer cell of every table.data in `content`
    (rendered markup; a plain string is escaped first, like any value put into a page)."""
    source = escape(content)  # Markup stays as it is
    if "<table" not in source:
        return source
    out: list[Markup] = []
    last = 0
    tables: list[_Table] = []
    for match in _TAG.finditer(source):
        closing, tag, attrs = match.group(1) == "/", match.group(2).lower(), match.group(3)
        if tag == "table":
            if closing:
                if tables:
                    tables.pop()
            else:
                classes = _CLASS.search(attrs)
                tables.append(_Table(classes is not None and "data" in classes.group(1).split()))
            continue
        if not tables or not tables[-1].is_data:
            continue
        table = tables[-1]
        if tag in ("thead", "tbody", "tfoot"):
            table.section = "" if closing else tag
        elif tag == "tr" and not closing:
            table.col = 0
        elif table.section == "thead" and tag == "th":
            if not closing:
                table.head_cell = (match.end(), attrs)
            elif table.head_cell is not None:
                start, head_attrs = table.head_cell
                table.add_head(_text(source[start : match.start()]), head_attrs)
                table.head_cell = None
        elif tag in ("td", "th") and not closing:  # a body or footer cell (rows outside a tbody are body rows)
            text = table.label_for(attrs)
            if "data-label" not in attrs:
                end = match.end() - 1  # before ">"
                out.append(source[last:end])
                out.append(Markup(' data-label="{}"').format(text))
                last = end
    out.append(source[last:])
    return Markup("").join(out)
