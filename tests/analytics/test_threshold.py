"""The threshold advisor as a pure function: expected values small enough to check by hand."""
from __future__ import annotations

import pytest

from analytics.threshold import CostModel, Scored, curve, expected_value, outcomes, recommend, threshold_grid

# V=100, r=0.2 -> a referral is worth r*V = 20; W=40; N=20 (a needless referral nets 20 - 20 = 0); S=10.
COSTS = CostModel(lead_value=100, lead_rate=0.2, wrong_answer_cost=40, needless_referral_cost=20, containment_value=10)


def test_one_item_each_way():
    right, wrong = [Scored(0.8, True)], [Scored(0.8, False)]
    assert expected_value(right, 0.5, COSTS) == 10        # answered correctly: +S
    assert expected_value(wrong, 0.5, COSTS) == -40       # answered wrongly: -W
    assert expected_value(right, 0.9, COSTS) == 0         # needless referral: r*V - N = 20 - 20
    assert expected_value(wrong, 0.9, COSTS) == 20        # useful referral: r*V
    assert expected_value(right, 0.8, COSTS) == 10        # confidence == threshold is answered


def test_four_items_by_hand():
    items = [Scored(0.3, False), Scored(0.5, True), Scored(0.6, False), Scored(0.9, True)]
    # t=0.0: answer all: 2*10 - 2*40 = -60
    assert expected_value(items, 0.0, COSTS) == -60
    # t=0.4: refer 0.3 (wrong, +20); answer 0.5 (+10), 0.6 (-40), 0.9 (+10) -> 0
    assert expected_value(items, 0.4, COSTS) == 0
    # t=0.55: refer 0.3 (+20), 0.5 (right: 0); answer 0.6 (-40), 0.9 (+10) -> -10
    assert expected_value(items, 0.55, COSTS) == -10
    # t=0.7: refer 0.3 (+20), 0.5 (0), 0.6 (+20); answer 0.9 (+10) -> 50
    assert expected_value(items, 0.7, COSTS) == 50
    # t=1.0: refer all: 20 + 0 + 20 + 0 = 40
    assert expected_value(items, 1.0, COSTS) == 40
    result = recommend(items, COSTS)
    # Best is any t in (0.6, 0.9]; the lowest grid value wins the tie: 0.61.
    assert result["best"]["threshold"] == pytest.approx(0.61)
    assert result["best"]["ev"] == 50 and result["best"]["ev_per_item"] == pytest.approx(12.5)
    assert result["best"]["coverage"] == pytest.approx(0.25) and result["best"]["accuracy"] == 1.0
    assert result["break_even_confidence"] == pytest.approx((40 + 20) / (10 + 40 + 20))


def test_outcome_counts():
    items = [Scored(0.3, False), Scored(0.5, True), Scored(0.6, False), Scored(0.9, True)]
    counts = outcomes(items, 0.55)
    assert (counts.answered_correct, counts.answered_wrong, counts.referred_correct, counts.referred_wrong) == (1, 1, 1, 1)
    assert counts.n == 4 and counts.answered == 2


def test_curve_rows_and_current():
    items = [Scored(0.3, False), Scored(0.9, True)]
    rows = curve(items, COSTS, grid=[0.0, 0.5, 1.0])
    assert [r["ev"] for r in rows] == [10 - 40, 20 + 10, 20 + 0]
    assert [r["coverage"] for r in rows] == [1.0, 0.5, 0.0]
    assert rows[2]["accuracy"] is None
    result = recommend(items, COSTS, grid=[0.0, 0.5, 1.0], current=0.0)
    assert result["best"]["threshold"] == 0.5
    assert result["current"]["ev"] == -30 and result["current"]["ev_per_item"] == -15


def test_costs_move_the_recommendation():
    items = [Scored(0.3, False), Scored(0.5, True), Scored(0.6, False), Scored(0.9, True)]
    # Wrong answers cost nothing and referrals nothing is gained: answer everything.
    cheap = CostModel(lead_value=0, lead_rate=0, wrong_answer_cost=0, needless_referral_cost=5, containment_value=10)
    assert recommend(items, cheap)["best"]["threshold"] == 0.0
    # Wrong answers are very expensive: answer only above the last wrong one (0.6), i.e. just 0.9 (+1).
    costly = CostModel(lead_value=0, lead_rate=0, wrong_answer_cost=1000, needless_referral_cost=0, containment_value=1)
    assert recommend(items, costly)["best"]["threshold"] == pytest.approx(0.61)
    assert recommend(items, costly)["best"]["ev"] == 1
    # Needless referrals are free and a lead is worth more than a contained answer: refer everything.
    referral = CostModel(lead_value=100, lead_rate=0.5, wrong_answer_cost=10, needless_referral_cost=0, containment_value=1)
    assert recommend(items, referral)["best"]["threshold"] == pytest.approx(0.91)


def test_no_items_no_recommendation():
    result = recommend([], COSTS)
    assert result["best"] is None and result["n"] == 0


def test_grid_and_validation():
    grid = threshold_grid()
    assert len(grid) == 101 and grid[0] == 0.0 and grid[-1] == 1.0 and grid[61] == 0.61
    with pytest.raises(ValueError):
        CostModel(lead_rate=1.5)
    with pytest.raises(ValueError):
        CostModel(wrong_answer_cost=-1)


def test_fixture_world(dataset, labels, monkeypatch):
    """The reviewed fixture messages (analytics_fixture.py), sorted by confidence:
    0.2 ✗, 0.4 ✗, 0.6 ✗, 0.7 ✓, 0.7 ✓, 0.8 ✓, 0.85 ✓, 0.9 ✓, 0.95 ✓.
    With COSTS: t in (0.6, 0.7] refers the three wrong ones (3 * 20) and answers six right ones (6 * 10) = 120;
    t=0.45 (the current threshold) refers 0.2 and 0.4 (+40), answers 0.6 wrongly (-40) and six right (+60) = 60."""
    from analytics.summary import Options, analyse

    # The advisor's arithmetic, at a fixed "current" threshold (the live one is bot/config.yml's, and moves).
    monkeypatch.setattr("analytics.model_metrics.current_threshold", lambda: 0.45)
    result = analyse(dataset, labels, Options(costs=COSTS))
    advisor = result["advisor"]
    assert advisor["n"] == 9
    assert advisor["best"]["threshold"] == pytest.approx(0.61)
    assert advisor["best"]["ev"] == pytest.approx(120)
    assert advisor["best"]["ev_per_item"] == pytest.approx(120 / 9)
    assert advisor["current"]["threshold"] == pytest.approx(0.45)
    assert advisor["current"]["ev"] == pytest.approx(60)
    assert advisor["current"]["coverage"] == pytest.approx(7 / 9)
    assert advisor["current"]["accuracy"] == pytest.approx(6 / 7)
    by_t = {r["threshold"]: r for r in advisor["curve"]}
    assert by_t[0.0]["ev"] == pytest.approx(6 * 10 - 3 * 40)
    assert by_t[0.75]["ev"] == pytest.approx(3 * 20 + 2 * 0 + 4 * 10)
    assert by_t[1.0]["ev"] == pytest.approx(3 * 20)
