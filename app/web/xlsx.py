"""Excel exports: what people typed is written as text, never as a formula."""


def keep_text(book) -> None:
    """Store every cell openpyxl took for a formula (a string starting with "=") as plain text.

    Unit names, report narratives and the like are typed by people; written as they are, "=HYPERLINK(…)" would
    run when the district opens the official report in Excel (formula injection). The exports write no
    formulas of their own.
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
