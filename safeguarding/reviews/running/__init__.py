"""Running a review commissioned from final decisions: commissioning, terms of reference (and its
document, ``terms_document.py``), appointments, meetings, people in the case with identities held
apart, family contacts, document versions, quality markers (``quality_markers.py``), findings,
progress checks (R13), sign-off by the decision makers and reopening. The stages and their guards
are shared with the rapid review, in ``reviews/workflow.py`` and ``reviews/services.py``."""
