"""Reading page markup in tests: the cells' data-label (the phone's card labels, app/web/table_labels.py) set
aside, so a test that checks a table's content is not tied to that attribute."""

import re

_LABEL = re.compile(r' data-label="[^"]*"')


def unlabelled(html: str) -> str:
    """The markup without the data-label attributes the server adds to table cells."""
    return _LABEL.sub("", html)
