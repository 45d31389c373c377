"""The wiring of the pipeline's stages, apart from the statistics they call.

* :mod:`.skips` — one :class:`~.skips.StagePlan` per stage: what runs, what is skipped and why;
* :mod:`.drivers_plan`, :mod:`.segments_plan` — what the drivers and segments stages can
  compute from the tables at hand, and their empty outputs;
* :mod:`.headlines` — the headline numbers of the metrics JSON files;
* :mod:`.recovery` — recovery of the planted truth on synthetic data.
"""

__all__ = ["drivers_plan", "headlines", "recovery", "segments_plan", "skips"]
