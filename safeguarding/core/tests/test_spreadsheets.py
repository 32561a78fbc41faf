"""The shared sheet helpers: dates as dates, text never a formula, a frozen header with a filter."""

import datetime
import io

from openpyxl import load_workbook

from safeguarding.core import spreadsheets


def workbook_read(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_a_sheet_has_its_preamble_a_bold_frozen_header_with_a_filter_and_typed_cells():
    workbook = spreadsheets.workbook_new()
    sheet = spreadsheets.Sheet(
        workbook,
        "Actions",
        [("Action", 10), ("Target date", 16), ("Note", 40), ("Count", 8)],
        preamble=("Action plan: RV1", "Testshire"),
    )
    sheet.append(["1.1", datetime.date(2026, 9, 4), '=HYPERLINK("x")', 3])
    sheet.append(["1.2", None, "", 0])
    sheet.finish()
    spreadsheets.about_sheet(workbook, [["Filters", "=1+1"], ["Rows", 2]])

    read = workbook_read(spreadsheets.workbook_bytes(workbook))
    actions = read["Actions"]
    assert actions["A1"].value == "Action plan: RV1" and actions["A1"].font.b
    assert actions["A2"].value == "Testshire" and not actions["A2"].font.b
    assert [cell.value for cell in actions[3]] == ["Action", "Target date", "Note", "Count"]
    assert all(cell.font.b for cell in actions[3])
    assert actions.freeze_panes == "A4"
    assert actions.auto_filter.ref == "A3:D5"
    assert actions["B4"].value == datetime.datetime(2026, 9, 4)
    assert actions["B4"].number_format == spreadsheets.DATE_FORMAT
    assert actions["C4"].value == '=HYPERLINK("x")' and actions["C4"].data_type == "s"
    assert actions["B5"].value is None and actions["D5"].value == 0
    assert actions.column_dimensions["C"].width == 40
    about = read["About"]
    assert about["B1"].value == "=1+1" and about["B1"].data_type == "s"
    assert about["B2"].value == 2


def test_control_characters_are_removed_from_sheets():
    workbook = spreadsheets.workbook_new()
    sheet = spreadsheets.Sheet(workbook, "Notes", [("Note\x07", 20)], preamble=("Top\x0b",))
    sheet.append(["Bell\x07note"])
    sheet.append(["=\x01formula"])
    sheet.finish()
    spreadsheets.about_sheet(workbook, [["Filters\x1b", "none\x00"]])

    read = workbook_read(spreadsheets.workbook_bytes(workbook))  # openpyxl would refuse them
    values = [cell.value for row in read["Notes"].iter_rows() for cell in row]
    assert values == ["Top", "Note", "Bellnote", "=formula"]
    assert [cell.value for cell in read["About"][1]] == ["Filters", "none"]


def test_a_sheet_can_write_dates_in_another_format():
    workbook = spreadsheets.workbook_new()
    sheet = spreadsheets.Sheet(workbook, "Chronology", [("Date", 12)], date_format="DD/MM/YYYY")
    sheet.append([datetime.date(2025, 1, 2)])
    sheet.finish()
    cell = workbook_read(spreadsheets.workbook_bytes(workbook))["Chronology"]["A2"]
    assert cell.number_format == "DD/MM/YYYY"
