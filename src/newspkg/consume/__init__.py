"""The consumer's side: a published package checked, verified or downloaded as a data user would.

- :mod:`~newspkg.consume.check`: ``check_package``, what ``newspkg validate datapackage.json`` and
  ``newspkg verify`` run: the descriptor, the resource files, the shipped schemas, every record;
- :mod:`~newspkg.consume.descriptor`: reading the descriptor; which paths are safe to read;
- :mod:`~newspkg.consume.shipped_schemas`: the package's own JSON Schemas and their references;
- :mod:`~newspkg.consume.records`: every JSONL record against the schema and the rules, ids unique;
- :mod:`~newspkg.consume.spans`: the JSONL file cut into spans of whole lines, the unit of work;
- :mod:`~newspkg.consume.rows`: the Parquet rows equal to the JSONL records;
- :mod:`~newspkg.consume.findings`: what a check found, in order, bounded in memory;
- :mod:`~newspkg.consume.download`: fetching a package over HTTP(S), then verifying it;
- :mod:`~newspkg.consume.stats` and :mod:`~newspkg.consume.report_page`: the corpus in figures
  (``newspkg stats``) and drawn as one page (``newspkg report``);
- :mod:`~newspkg.consume.diff` and :mod:`~newspkg.consume.schema_diff`: two packages compared
  (``newspkg diff``), schema changes classified breaking or not.
"""
