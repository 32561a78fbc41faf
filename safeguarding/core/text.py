"""Text helpers shared by the document builders."""

import re

# Control characters that XML 1.0 (so DOCX and XLSX) cannot hold: all below 0x20 except tab,
# line feed and carriage return. A note pasted from another system can carry them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def printable(text: str) -> str:
    """``text`` without the control characters Word and Excel files cannot hold."""
    return _CONTROL.sub("", text) if text else text
