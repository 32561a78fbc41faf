"""The one sanitiser for text coming in (forms, uploads, imports) and going out (DOCX, XLSX,
PDF, CSV and feeds).

A note pasted from another system can carry control characters (a bell, ``\\x07``, from a
case-management export; a form feed; a NUL). XML 1.0, so every Word and Excel file and the
Atom feed, cannot hold most of them: one such character made every export of a chronology fail.
``printable`` removes them. Text is cleaned when it is accepted, and again when it is written
to a file, so that data stored before the first rule still exports.
"""

import dataclasses
import re
from typing import TypeVar

# C0 control characters except tab, line feed and carriage return; DEL and the C1 controls
# (U+007F-U+009F); lone surrogates (a broken JSON "\ud800" cannot be written as UTF-8); and the
# two non-characters XML 1.0 refuses (U+FFFE, U+FFFF).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

T = TypeVar("T")


def printable(value: T) -> T:
    """``value`` without the control characters Word, Excel and XML files cannot hold.

    A string is cleaned; lists, tuples, sets, dicts and dataclass instances are copied with
    every string inside them cleaned (so a writer can clean all it is given in one call);
    anything else (numbers, dates, None, model instances) is returned as it is."""
    if isinstance(value, str):
        return _CONTROL.sub("", value) if value else value
    if isinstance(value, list):
        return [printable(item) for item in value]
    if isinstance(value, tuple):
        cleaned = [printable(item) for item in value]
        return type(value)(*cleaned) if hasattr(value, "_fields") else tuple(cleaned)
    if isinstance(value, (set, frozenset)):
        return type(value)(printable(item) for item in value)
    if isinstance(value, dict):
        return {printable(key): printable(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            field.name: printable(getattr(value, field.name))
            for field in dataclasses.fields(value)
            if field.init
        }
        return dataclasses.replace(value, **changes)
    return value
