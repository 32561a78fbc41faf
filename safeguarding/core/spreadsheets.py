"""Excel workbooks (.xlsx, openpyxl in write-only mode) for every export: the chronology, the
action plan and tracker, the annual figures.

A ``Sheet`` has a bold, frozen header row with an autofilter and column widths; its cells keep
dates as date cells and text as text (never a formula), and every string is written through
``core.text.printable`` (a control character cannot break the file)."""

import datetime
import io
import tempfile
from collections.abc import Iterable, Sequence
from typing import IO

from .text import printable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "D MMMM YYYY"  # 4 September 2026


def workbook_new():
    from openpyxl import Workbook

    return Workbook(write_only=True)


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_file(workbook) -> IO[bytes]:
    """The workbook saved to a temporary file (rewound to its start), for a large export: the
    write-only sheets already hold their rows on disk as they are appended, and the file is
    served in chunks (``core.files.file_response``), so memory does not grow with the rows.
    The file is removed when it is closed (the response closes it when it has been sent)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    try:
        workbook.save(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


class Sheet:
    """A write-only sheet: optional lines above the table (the first in bold), a bold, frozen
    header row with an autofilter, column widths, and cells that keep dates as dates and text as
    text (never a formula)."""

    def __init__(
        self,
        workbook,
        title: str,
        columns: Sequence[tuple[str, int]],
        preamble: Sequence[str] = (),
        date_format: str = DATE_FORMAT,
    ):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        self._date_format = date_format
        self._cell_class = WriteOnlyCell
        self.sheet = workbook.create_sheet(printable(title))
        for index, (_, width) in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        header_row = len(preamble) + 1
        self.sheet.freeze_panes = f"A{header_row + 1}"
        self._last_column = get_column_letter(len(columns))
        self._header_row = header_row
        self._rows = header_row
        self.appended = 0  # rows of the table written so far
        bold = Font(bold=True)
        for index, line in enumerate(preamble):
            cell = WriteOnlyCell(self.sheet, value=printable(line))
            cell.font = bold if index == 0 else Font()
            self.sheet.append([cell])
        header = []
        for text, _ in columns:
            cell = WriteOnlyCell(self.sheet, value=printable(text))
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            header.append(cell)
        self.sheet.append(header)

    def append(self, values: Iterable) -> None:
        self.sheet.append(
            [_cell(self.sheet, value, self._date_format, self._cell_class) for value in values]
        )
        self._rows += 1
        self.appended += 1

    def finish(self) -> None:
        self.sheet.auto_filter.ref = (
            f"A{self._header_row}:{self._last_column}{max(self._rows, self._header_row)}"
        )


def _cell(sheet, value, date_format: str, cell_class):
    """A value as a write-only cell: dates as date cells, text as text (never a formula)."""
    if value is None or value == "":
        return None  # an empty cell is not written at all
    if isinstance(value, datetime.date):
        cell = cell_class(sheet, value=value)
        cell.number_format = date_format
        return cell
    if isinstance(value, str):
        value = printable(value)
        if value.startswith("="):
            cell = cell_class(sheet, value=value)
            cell.data_type = "s"  # text that looks like a formula stays text
            return cell
    return value


def about_sheet(
    workbook, lines: Iterable[Sequence], *, title: str = "About", date_format: str = DATE_FORMAT
) -> None:
    """A sheet of (label, value) lines that says what the workbook holds."""
    from openpyxl.cell import WriteOnlyCell

    sheet = workbook.create_sheet(title)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 80
    for line in lines:
        sheet.append([_cell(sheet, value, date_format, WriteOnlyCell) for value in line])
