"""Threshold advisor: which confidence threshold is worth the most, given what outcomes are worth.

The model (explicit, and deliberately simple). Each reviewed message i has the classifier's
confidence c_i and is *correct* when the predicted topic equals the reviewed (gold) topic. For a
threshold t the bot answers every message with c_i >= t and refers every other one to a lawyer:

| the bot...              | predicted topic correct                  | predicted topic wrong         |
|-------------------------|------------------------------------------|-------------------------------|
| answers (c_i >= t)      | contained: + S (containment_value)       | wrong answer: - W             |
| refers (c_i < t)        | needless referral: r * V - N             | useful referral: + r * V      |

- V `lead_value`: what one captured lead is worth (e.g. retained conversion × value of a case).
- r `lead_rate`: probability that a referral becomes a captured lead (compare with the observed
  "handoff → lead" rate in the business metrics).
- W `wrong_answer_cost`: cost of a wrong self-help answer (a person misled about their problem).
- N `needless_referral_cost`: cost of referring someone the bot would have answered correctly
  (intake / lawyer time spent on a question self-help covers).
- S `containment_value`: value of a question answered correctly by self-help (0, or a small saving).

EV(t) = S·#answered-correct − W·#answered-wrong + (r·V − N)·#referred-correct + r·V·#referred-wrong,
reported in total and per message (EV(t)/n). The recommended threshold is the grid value with the
highest EV (the lowest such t on a tie: answer more when it costs nothing). For a calibrated model
answering pays when P(correct) ≥ (W + r·V) / (S + W + N), the *break-even confidence*.

Limits: "correct" means the right topic, not the right article; the live bot also clarifies and
checks the knowledge base, which this two-way model leaves out. It ranks thresholds; it does not
forecast money.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable, Sequence


@dataclass(frozen=True)
class CostModel:
    lead_value: float = 60.0
    lead_rate: float = 0.25
    wrong_answer_cost: float = 40.0
    needless_referral_cost: float = 30.0
    containment_value: float = 10.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.lead_rate <= 1.0:
            raise ValueError("lead_rate must be between 0 and 1")
        for name in ("lead_value", "wrong_answer_cost", "needless_referral_cost", "containment_value"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")

    @property
    def referral_value(self) -> float:
        """r·V: expected lead value of one referral."""
        return self.lead_rate * self.lead_value

    def break_even_confidence(self) -> float | None:
        """P(correct) above which answering beats referring: (W + r·V) / (S + W + N)."""
        denominator = self.containment_value + self.wrong_answer_cost + self.needless_referral_cost
        return (self.wrong_answer_cost + self.referral_value) / denominator if denominator else None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Scored:
    """One reviewed message: the classifier's confidence and whether its topic was right."""

    confidence: float
    correct: bool


@dataclass(frozen=True)
class Outcomes:
    answered_correct: int
    answered_wrong: int
    referred_correct: int  # needless referrals
    referred_wrong: int  # useful referrals

    @property
    def n(self) -> int:
        return self.answered_correct + self.answered_wrong + self.referred_correct + self.referred_wrong

    @property
    def answered(self) -> int:
        return self.answered_correct + self.answered_wrong


def outcomes(items: Iterable[Scored], threshold: float) -> Outcomes:
    ac = aw = rc = rw = 0
    for item in items:
        if item.confidence >= threshold:
            ac, aw = (ac + 1, aw) if item.correct else (ac, aw + 1)
        else:
            rc, rw = (rc + 1, rw) if item.correct else (rc, rw + 1)
    return Outcomes(ac, aw, rc, rw)


def value_of(counts: Outcomes, model: CostModel) -> float:
    """EV of a set of outcomes (see the module docstring)."""
    return (
        model.containment_value * counts.answered_correct
        - model.wrong_answer_cost * counts.answered_wrong
        + (model.referral_value - model.needless_referral_cost) * counts.referred_correct
        + model.referral_value * counts.referred_wrong
    )


def expected_value(items: Sequence[Scored], threshold: float, model: CostModel) -> float:
    """Total expected value of answering every item with confidence >= threshold and referring the rest."""
    return value_of(outcomes(items, threshold), model)


def threshold_grid(step: float = 0.01) -> list[float]:
    count = round(1 / step)
    return [round(i * step, 6) for i in range(count + 1)]


def curve(items: Sequence[Scored], model: CostModel, grid: Sequence[float] | None = None) -> list[dict]:
    """For each threshold: coverage (share answered), accuracy of the answered, outcomes, EV total and per item."""
    grid = threshold_grid() if grid is None else grid
    n = len(items)
    rows = []
    for t in grid:
        counts = outcomes(items, t)
        ev = value_of(counts, model)
        rows.append({
            "threshold": t,
            "answered": counts.answered,
            "coverage": counts.answered / n if n else None,
            "accuracy": counts.answered_correct / counts.answered if counts.answered else None,
            "answered_correct": counts.answered_correct,
            "answered_wrong": counts.answered_wrong,
            "needless_referrals": counts.referred_correct,
            "useful_referrals": counts.referred_wrong,
            "ev": ev,
            "ev_per_item": ev / n if n else None,
        })
    return rows


def recommend(items: Sequence[Scored], model: CostModel, grid: Sequence[float] | None = None,
              current: float | None = None) -> dict:
    """The threshold with the highest expected value (lowest t on ties), with the whole curve."""
    rows = curve(items, model, grid)
    result = {"n": len(items), "model": model.as_dict(), "break_even_confidence": model.break_even_confidence(),
              "curve": rows, "best": None, "current": None}
    if not items:
        return result
    best = max(rows, key=lambda r: (r["ev"], -r["threshold"]))
    result["best"] = best
    if current is not None:
        counts = outcomes(items, current)
        result["current"] = {"threshold": current, "ev": value_of(counts, model),
                             "ev_per_item": value_of(counts, model) / len(items),
                             "coverage": counts.answered / len(items),
                             "accuracy": counts.answered_correct / counts.answered if counts.answered else None}
    return result
