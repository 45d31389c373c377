"""The verbatims stage's pieces: text preparation, the codeframe, the analyses and their oracles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cemlib.cx.verbatims import (
    collect_verbatims,
    emerging_themes,
    leaving_pareto,
    nps_impact,
    period_labels,
    theme_breakdown,
)
from cemlib.errors import XVOCError
from cemlib.stages.verbatims_plan import code_verbatims
from cemlib.text.codeframe import code_themes, codeframe_from_dict, load_codeframe
from cemlib.text.discover import boilerplate_clauses, without_boilerplate
from cemlib.text.tokens import content_words, to_simplified, tokenize

# --------------------------------------------------------------------------- text preparation


def test_traditional_is_analysed_as_simplified_and_code_mixed_text_keeps_both_scripts():
    assert to_simplified("退款還沒到賬，App閃退") == "退款还没到账，App闪退"
    assert tokenize("App老是閃退 again!") == ["app", "老是", "闪退", "again"]
    words = content_words("The courier was late and 快递员态度很差")
    assert "the" not in words and "courier" in words and "快递员" in words and "很" not in words


def test_a_users_domain_word_is_kept_whole():
    assert tokenize("盒马鲜生配送太慢")[:2] == ["盒马", "鲜生"]
    assert tokenize("盒马鲜生配送太慢", domain_words=("盒马鲜生",))[0] == "盒马鲜生"


def test_frames_repeated_around_texts_are_boilerplate_but_sentences_that_stand_alone_are_not():
    said = ["the app crashed", "refund is slow", "rude staff", "late parcel", "wrong size",
            "no stock", "broken lid", "cold food"]  # fmt: skip
    texts = [f"Call note: {s}." for s in said] * 4 + ["Too expensive."] * 10
    found = boilerplate_clauses(texts)
    assert found == {"call note"}
    assert without_boilerplate("Call note: the app crashed.", found) == "the app crashed."
    assert without_boilerplate("Call note:", found) == "Call note:"  # nothing else left: kept


# --------------------------------------------------------------------------- the codeframe

FRAME = {
    "themes": [
        {"id": "late", "label": {"en": "Late", "zh": "迟到"}, "polarity": "complaint",
         "keywords": {"en": ["late"], "zh": ["晚了"]}},
        {"id": "staff_good", "label": {"en": "Staff", "zh": "员工"}, "polarity": "praise",
         "keywords": {"en": ["helpful"], "zh": ["热情"]}, "patterns": {"en": [r"\bkind(ly)?\b"]}},
    ]
}  # fmt: skip


def test_codeframe_codes_by_rule_with_negation_and_lists_every_theme_primary_first():
    frame = codeframe_from_dict(FRAME)
    coded = code_themes(
        [
            "Helpful staff but the parcel was late",  # both; the complaint is listed first
            "staff were not helpful",  # negated praise: nothing
            "the staff wasn't helpful",
            "店员不是很热情",  # negated through a softener
            "店员特别热情",  # 特别 is "especially", not a negation
            "chocolate",  # 'late' must match a whole word
            "",
        ],
        frame,
    )
    assert coded["themes"].tolist() == [["late", "staff_good"], [], [], [], ["staff_good"], [], []]
    assert coded["theme"].tolist()[0] == "late" and coded["theme"].iloc[-1] == "unclassified"
    assert "late: late" in coded["matched"].iloc[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("themes: [", "not readable YAML"),
        ("themes:\n  - id: x\n    label: {en: X}\n    keywords: {en: [a]}\n    patterns: {en: ['(']}", "does not compile"),
        ("themes:\n  - id: x\n    keywords: {en: [a]}", "needs label"),
        ("themes:\n  - id: x\n    label: {en: X}", "can never match"),
        ("themes:\n  - id: x\n    label: {en: X}\n    keywords: {en: [a]}\n  - id: x\n    label: {en: Y}\n    keywords: {en: [b]}", "repeated"),
        ("- just a list", "must be a mapping"),
        ("themes:\n  - id: x\n    label: {en: Fast, careful, zh: 快}\n    keywords: {en: [a]}", "quote a label"),
    ],
)  # fmt: skip
def test_a_bad_codeframe_is_refused_in_one_line_naming_the_file(tmp_path, text, message):
    path = tmp_path / "codeframe.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(XVOCError) as error:
        load_codeframe(path)
    line = str(error.value)
    assert "codeframe.yaml" in line and message in line and "\n" not in line


def test_the_bundled_codeframe_loads_and_every_theme_has_both_labels_and_an_owner():
    frame = load_codeframe()
    labels = frame.labels()
    assert len(labels) >= 10 and labels["label_zh"].str.len().gt(0).all()
    assert labels["owner"].str.len().gt(0).all()
    assert set(labels["polarity"]) == {"complaint", "praise", "neutral"}


# --------------------------------------------------------------------------- every text kept


def test_awkward_texts_are_all_kept_and_the_uncodable_ones_are_unclassified():
    texts = ["", "   ", "😀😀😀", "x" * 1_000_000, "App老是闪退 and the courier was late",
             "質量很好，非常滿意", "call me on 13812345678, the refund never came"]  # fmt: skip
    feedback = pd.DataFrame(
        {
            "feedback_id": [f"F{i}" for i in range(len(texts))],
            "kind": "complaint",
            "created_at": pd.Timestamp("2025-01-01"),
            "text": texts,
        }
    )
    coded, _ = code_verbatims(collect_verbatims(feedback, None), load_codeframe(), None, {})
    assert len(coded) == len(texts)
    assert coded.set_index("source_id").loc[["F0", "F1", "F2"], "theme"].eq("unclassified").all()
    assert coded.set_index("source_id").loc[["F0", "F1", "F2"], "theme_source"].eq("none").all()
    assert "13812345678" not in " ".join(coded["text"])
    mixed = coded.set_index("source_id").loc["F4"]
    assert mixed["themes"] == ["delivery_late", "app_crash"]  # the codeframe's order
    assert mixed["theme"] == "delivery_late"


# --------------------------------------------------------------------------- the analyses


def _survey():
    ltr = [10, 9, 9, 3, 2, 8, 10, 6, 0, 9, 7, 10]
    comments = ["late", "", "", "late", "late", "", "", "late", "late", "", "", ""]
    responses = pd.DataFrame(
        {"response_id": [f"R{i:02d}" for i in range(12)], "ltr": ltr, "comment": comments}
    )
    verbatims = collect_verbatims(None, responses)
    verbatims["themes"] = [["late"] if c else [] for c in verbatims["text"]]
    verbatims["theme"] = [t[0] if t else "unclassified" for t in verbatims["themes"]]
    verbatims["sentiment"] = [-0.5 if c else np.nan for c in verbatims["text"]]
    return responses, verbatims


def test_nps_impact_is_the_difference_of_two_npss_with_the_trinomial_interval():
    responses, verbatims = _survey()
    row = nps_impact(verbatims, responses).set_index("theme").loc["late"]
    inside = np.array([10, 3, 2, 6, 0])  # by hand: the five who wrote about lateness
    outside = np.array([9, 9, 8, 10, 9, 7, 10])

    def nps_and_var(x):
        p, d = np.mean(x >= 9), np.mean(x <= 6)
        return 100 * (p - d), (p + d - (p - d) ** 2) / len(x)

    (a, va), (b, vb) = nps_and_var(inside), nps_and_var(outside)
    assert row["nps_mentioners"] == pytest.approx(a) and row["nps_others"] == pytest.approx(b)
    half = stats.norm.ppf(0.975) * 100 * np.sqrt(va + vb)
    assert row["nps_impact"] == pytest.approx(a - b)
    assert row["impact_ci_low"] == pytest.approx(a - b - half)
    assert row["impact_ci_high"] == pytest.approx(a - b + half)


def test_emerging_themes_match_the_chi_square_test_and_hand_computed_bh():
    dates = ["2025-02-01"] * 100 + ["2025-05-01"] * 120
    themes = [["a"]] * 10 + [["b"]] * 30 + [[]] * 60 + [["a"]] * 36 + [["b"]] * 30 + [[]] * 54
    verbatims = pd.DataFrame({"created_at": pd.to_datetime(dates), "themes": themes})
    table = emerging_themes(verbatims, "quarter").set_index("theme")
    assert (
        table.loc["a", "last_period"] == "2025Q2" and table.loc["a", "previous_period"] == "2025Q1"
    )
    for theme, (x1, x0) in {"a": (36, 10), "b": (30, 30)}.items():
        chi2 = stats.chi2_contingency([[x1, 120 - x1], [x0, 100 - x0]], correction=False)
        assert table.loc[theme, "change_p"] == pytest.approx(chi2.pvalue)
        assert table.loc[theme, "share_change"] == pytest.approx(x1 / 120 - x0 / 100)
    p = table["change_p"].sort_values()
    bh = np.minimum.accumulate((p * 2 / np.array([1, 2]))[::-1])[::-1]  # two tests, by hand
    assert table.loc[p.index, "change_q"].to_numpy() == pytest.approx(np.minimum(bh, 1))


def test_breakdown_shares_divide_by_all_texts_of_the_group_and_periods_are_calendar():
    _, verbatims = _survey()
    verbatims["channel"] = ["web"] * 6 + ["app"] * 6
    table = theme_breakdown(verbatims, "channel").set_index(["channel", "theme"])
    assert table.loc[("web", "late"), "n"] == 3 and table.loc[("web", "late"), "share"] == 0.5
    dates = pd.Series(pd.to_datetime(["2025-03-31", "2025-07-01", None]))
    assert period_labels(dates, "quarter").tolist()[:2] == ["2025Q1", "2025Q3"]
    assert period_labels(dates, "half").tolist()[:2] == ["2025H1", "2025H2"]


def test_leaving_pareto_counts_distinct_lost_customers_per_theme():
    verbatims = pd.DataFrame(
        {
            "customer_id": ["A", "A", "B", "C", "D"],
            "themes": [["late"], ["late"], ["late", "rude"], ["rude"], ["late"]],
        }
    )
    segments = pd.DataFrame({"customer_id": ["A", "B", "C", "D"], "p_alive": [0.1, 0.2, 0.3, 0.9]})
    table = leaving_pareto(verbatims, segments).set_index("theme")
    assert table.loc["late", "customers"] == 2 and table.loc["rude", "customers"] == 2
    assert table["cumulative"].iloc[-1] == pytest.approx(1.0)
    assert table.loc["late", "share"] == pytest.approx(2 / 3)


def test_sentiment_against_ratings_matches_scipy_and_sklearn():
    from sklearn.metrics import roc_auc_score

    from cemlib.cx.verbatims import sentiment_against_ratings

    rng = np.random.default_rng(3)
    rating = rng.integers(0, 2, 40).astype(float)
    score = np.round(rating * 0.5 + rng.normal(0, 0.5, 40), 3)
    ids = [f"F{i}" for i in range(40)]
    verbatims = pd.DataFrame({"source_table": "feedback", "source_id": ids, "sentiment": score})
    feedback = pd.DataFrame({"feedback_id": ids, "rating": rating})
    check = sentiment_against_ratings(verbatims, feedback)
    assert check["n"] == 40
    assert check["spearman"] == pytest.approx(stats.spearmanr(score, rating).statistic)
    assert check["roc_auc"] == pytest.approx(roc_auc_score(rating, score))
    assert sentiment_against_ratings(verbatims, feedback.drop(columns="rating")) == {}
