"""A partnership's own quality marker sets (issue 14 §4, ADR 0024): a regional checklist entered
by the business unit as data, its markers archived (never deleted), chosen when a review is first
assessed (``running/quality_markers.py`` ``set_for``)."""
