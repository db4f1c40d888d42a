"""Prose documents (civil-society and dialogue reports): paragraphs, then recommending sentences and who says them.

:func:`rectrack.extractors.segment.prose.nlp.prose_pipeline` builds, once per process, a
blank English pipeline with the shared sentence splitter, quotation tracking, the
recommendation cue matcher and State mentions; :mod:`rectrack.extractors.segment.prose.speakers`
reads who says a sentence. Every word list comes from ``data/patterns/``.
"""
