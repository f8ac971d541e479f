"""/admin/dashboard (reviewer role): business goals next to model accuracy, the threshold advisor, drift.

The same figures and charts as `python -m analytics.report` (both come from `analytics.summary`);
charts are rendered in memory as inline SVG. The period, the advisor's costs and the drift bounds
are a GET form, so a view can be bookmarked and shared.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from markupsafe import Markup
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import QueryParams

from analytics import drift as drift_module
from analytics import threshold as threshold_module
from analytics.business import DEFINITIONS
from analytics.data import week_start
from analytics.drift import DriftConfig
from analytics.labels import inbox_labels
from analytics.report import headline, money, num, pct
from analytics.summary import Options, build
from analytics.threshold import CostModel

from ..auth.models import StaffUser
from .deps import render, require_role

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/admin/dashboard", include_in_schema=False)
reviewer = require_role("reviewer")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: type
    default: float | int
    low: float
    high: float
    step: str
    hint: str


_COSTS, _DRIFT = CostModel(), DriftConfig()
ADVISOR_FIELDS = (
    Field("lead_value", "Value of a lead (V)", float, _COSTS.lead_value, 0, 1e7, "any", "What one captured lead is worth"),
    Field("lead_rate", "Referral → lead rate (r)", float, _COSTS.lead_rate, 0, 1, "0.01", "Share of referrals that become a lead"),
    Field("wrong_answer_cost", "Cost of a wrong answer (W)", float, _COSTS.wrong_answer_cost, 0, 1e7, "any",
          "A person misled by a self-help answer"),
    Field("needless_referral_cost", "Cost of a needless referral (N)", float, _COSTS.needless_referral_cost, 0, 1e7,
          "any", "Referring what the bot would have answered right"),
    Field("containment_value", "Value of a contained answer (S)", float, _COSTS.containment_value, 0, 1e7, "any",
          "A question answered right by self-help"),
)
DRIFT_FIELDS = (
    Field("baseline_weeks", "Baseline weeks", int, _DRIFT.baseline_weeks, 1, 520, "1", "The first N weeks with data"),
    Field("tvd_bound", "Topic-mix bound (TVD)", float, _DRIFT.tvd_bound, 0, 1, "0.01", "Flag above this distance"),
    Field("confidence_bound", "Confidence bound", float, _DRIFT.confidence_bound, 0, 1, "0.01",
          "Flag a larger change in mean confidence"),
    Field("min_messages", "Minimum messages", int, _DRIFT.min_messages, 1, 1_000_000, "1", "Smaller weeks are not flagged"),
)


def parse_form(params: QueryParams) -> tuple[dict, dict[str, str], Options]:
    """Form values as typed (to show them back), errors per field, and the options (defaults where invalid)."""
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    parsed: dict[str, object] = {}
    for name in ("since", "until"):
        raw = (params.get(name) or "").strip()
        values[name] = raw
        parsed[name] = None
        if raw:
            try:
                parsed[name] = dt.date.fromisoformat(raw)
            except ValueError:
                errors[name] = "Use a date like 2026-11-02."
    if parsed["since"] and parsed["until"] and parsed["since"] >= parsed["until"]:
        errors["until"] = "Must be after the start."
        parsed["until"] = None
    for field in ADVISOR_FIELDS + DRIFT_FIELDS:
        raw = (params.get(field.name) or "").strip()
        values[field.name] = raw or field.default
        parsed[field.name] = field.default
        if not raw:
            continue
        try:
            value = field.kind(raw)
            if value != value or not field.low <= value <= field.high:  # NaN, out of range
                raise ValueError
        except ValueError:
            errors[field.name] = f"A number from {field.low:g} to {field.high:g}."
            values[field.name] = raw
            continue
        parsed[field.name] = value
    options = Options(
        since=parsed["since"], until=parsed["until"],
        costs=CostModel(**{f.name: parsed[f.name] for f in ADVISOR_FIELDS}),
        drift=DriftConfig(**{f.name: parsed[f.name] for f in DRIFT_FIELDS}),
    )
    return values, errors, options


def _missing_tables(request: Request) -> list[str]:
    missing = []
    if "events" not in inspect(request.app.state.tracker_engine).get_table_names():
        missing.append("the tracker store has no conversations yet (no `events` table: has the bot run?)")
    if "leads" not in inspect(request.app.state.engine).get_table_names():
        missing.append("the app database has no leads table (run `make migrate`)")
    return missing


@router.get("")
def dashboard(request: Request, user: StaffUser = Depends(reviewer)):
    values, errors, options = parse_form(request.query_params)
    context = {
        "title": "Dashboard", "values": values, "errors": errors, "advisor_fields": ADVISOR_FIELDS,
        "drift_fields": DRIFT_FIELDS, "result": None, "problem": None, "charts": {},
        "pct": pct, "num": num, "money": money, "week_start": week_start, "definitions": DEFINITIONS,
        "advisor_doc": (threshold_module.__doc__ or "").strip(), "drift_doc": (drift_module.__doc__ or "").strip(),
    }
    try:
        missing = _missing_tables(request)
        if missing:
            context["problem"] = "No figures yet: " + "; ".join(missing) + "."
            return render(request, "dashboard.html", context)
        result = build(request.app.state.engine, request.app.state.tracker_engine, options, label_source=inbox_labels)
    except SQLAlchemyError as exc:
        logger.warning("dashboard: database error (%s)", type(exc).__name__)
        context["problem"] = "The databases could not be read right now. Try again in a minute."
        return render(request, "dashboard.html", context, status_code=503)
    from analytics.charts import CHARTS, render_all, to_svg  # matplotlib: imported on first use, not at app start

    context["result"] = result
    context["headline"] = headline(result)
    context["charts"] = {
        name: Markup(to_svg(figure, prefix=name, title=CHARTS[name][0]))  # our own SVG; every text in it is escaped
        for name, figure in render_all(result).items()
    }
    return render(request, "dashboard.html", context)
