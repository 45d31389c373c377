"""Data in: the X-VOC data model and everything that brings tables into it.

* :mod:`.schema` — the tables, columns, types and the codebook (``docs/data-model.md``), and the
  one rule that decides the survey-weight column;
* :mod:`.contracts` — the output contracts: every result table the stages write, its columns;
* :mod:`.readers` — reading one table file: encoding and dialect detection, Excel sheets and
  header rows, Parquet and SPSS;
* :mod:`.io` — reading an input folder (CSV, Parquet, Excel, SPSS; encodings) and writing
  results deterministically;
* :mod:`.sources` — the bundled real data sets mapped into the data model, with provenance;
* :mod:`.ingest` — the ingest stage: synthetic world, bundled data set or the user's folder;
* :mod:`.synth` — the seeded synthetic world and the truth it planted.
"""

__all__ = ["contracts", "ingest", "io", "readers", "schema", "sources", "synth"]
