"""The merged multi-agency chronology (§8.2): reading an agency's file row by row (``parser.py``,
also ``manage.py import_chronology``), writing entries, the filtered page with its gaps, the SVG
timeline (``timeline.py``) and the XLSX/DOCX/PDF export (``exports.py``)."""
