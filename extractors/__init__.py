"""The pure core of rectrack: read -> detect -> segment -> classify -> merge -> write, no Prefect.

One folder per stage, in the order of the data flow (``docs/architecture.md``): ``read/`` (files to
:class:`~rectrack.extractors.records.Document`), ``detect.py``, ``segment/`` (one folder per document
family), ``classify/``, ``tracker/`` (the tables), ``views/`` (workbook and report), and at the top the
records, errors and files every stage shares, ``pipeline.py`` (read -> detect -> segment of one file)
and ``outputs.py`` (merge -> write of one run). ``text/`` and ``reference/`` hold the text helpers and
UN reference data the stages share."""
