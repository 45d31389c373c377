"""Customer-experience analyses: the research questions of the pipeline.

* :mod:`.promoters` — the promoter rule (free of heavy imports, so the generator can use it);
* :mod:`.metrics` — NPS with honest intervals, box scores, CSAT, CES, reliability, value
  concentration;
* :mod:`.scorecards` — the survey's headline tables from the codebook: every outcome's score,
  the satisfaction-inflation table, NPS by group, CEI and BEI per touchpoint;
* :mod:`.drivers` — key-driver analysis of a survey (five methods, bootstrap CIs, dominance,
  logistic view, stated vs derived importance);
* :mod:`.priorities` — importance–performance quadrants, Kano penalty–reward, CEI × BEI map,
  emotion curve;
* :mod:`.analyses` — the same analyses on any DataFrame, named by its columns;
* :mod:`.segments` — strategic customers, butterflies, barnacles and strangers: features,
  lifetime models, archetypes, clusters, profiles;
* :mod:`.tracking` — KPIs over time: periods, KPI tiles with the change from the previous
  period tested and Holm-controlled, control-chart limits.
"""

__all__ = [
    "analyses",
    "drivers",
    "metrics",
    "priorities",
    "promoters",
    "scorecards",
    "segments",
    "tracking",
]
