"""REST API of leads under /api (service token required)."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Response
from fastapi.exceptions import RequestValidationError
from sqlalchemy.orm import Session

from ..deps import get_notifier, get_session
from ..notifications.base import Notifier
from ..service_auth import require_service_token
from ..service_errors import http_errors
from . import service
from .enums import HandoffReason, LeadStatus, Queue, Topic
from .schemas import (
    IDEMPOTENCY_KEY_PATTERN,
    ErrorResponse,
    LeadCreate,
    LeadDetail,
    LeadOut,
    LeadPage,
    SearchText,
    StatusChange,
)

AUTH_ERRORS: dict[int | str, dict] = {
    401: {"model": ErrorResponse, "description": "Missing or wrong service token"},
    503: {"model": ErrorResponse, "description": "Service token not configured on the server"},
}
VALIDATION_ERROR: dict[int | str, dict] = {422: {"model": ErrorResponse, "description": "Invalid fields (see `errors`)"}}
NOT_FOUND: dict[int | str, dict] = {404: {"model": ErrorResponse, "description": "No such lead"}}

# Ids are 32-bit integers in every supported database.
MAX_ID = 2_147_483_647
LeadId = Annotated[int, Path(ge=1, le=MAX_ID)]

router = APIRouter(prefix="/api", tags=["leads"], dependencies=[Depends(require_service_token)],
                   responses={**AUTH_ERRORS, **VALIDATION_ERROR})


@router.post(
    "/leads",
    status_code=201,
    response_model=LeadDetail,
    summary="Create a lead (idempotent)",
    responses={
        201: {"description": "Lead created (and assigned when a panel lawyer matched)"},
        200: {"model": LeadDetail, "description": "Replay: a lead with this Idempotency-Key already exists (same body)"},
        409: {"model": ErrorResponse, "description": "The Idempotency-Key was used with a different body"},
        **VALIDATION_ERROR,
    },
)
def create_lead(
    body: LeadCreate,
    response: Response,
    idempotency_key: Annotated[
        str,
        Header(
            alias="Idempotency-Key",
            pattern=IDEMPOTENCY_KEY_PATTERN,
            description="Unique per lead, e.g. the conversation id; a retry with the same key never creates a duplicate",
        ),
    ],
    session: Session = Depends(get_session),
    notifier: Notifier = Depends(get_notifier),
) -> LeadDetail:
    with http_errors():
        lead, created = service.create_lead(session, data=body, idempotency_key=idempotency_key, actor="bot")
    if created:
        service.notify_assigned_lawyer(session, lead=lead, notifier=notifier)
    else:
        response.status_code = 200
    return LeadDetail.model_validate(lead)


@router.get("/leads", response_model=LeadPage, summary="List leads (paginated, filtered)", responses=VALIDATION_ERROR)
def list_leads(
    session: Session = Depends(get_session),
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 25,
    status: Annotated[list[LeadStatus] | None, Query(description="One or more statuses")] = None,
    topic: Annotated[list[Topic] | None, Query(description="One or more topics")] = None,
    queue: Queue | None = None,
    reason: Annotated[list[HandoffReason] | None, Query(description="Handoff reasons")] = None,
    lawyer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    date_from: Annotated[date | None, Query(description="Created on or after this day (UTC)")] = None,
    date_to: Annotated[date | None, Query(description="Created on or before this day (UTC)")] = None,
    q: Annotated[SearchText | None, Query(max_length=100, description="Search in name, email, phone, summary, conversation id")] = None,
    sort: Annotated[service.SortKey, Query()] = "-created_at",
) -> LeadPage:
    if date_from and date_to and date_from > date_to:
        raise RequestValidationError([{"loc": ("query", "date_to"), "msg": "date_to is before date_from", "type": "value_error"}])
    with http_errors(location="query"):
        result = service.list_leads(
            session, status=status, topic=topic, queue=queue, reason=reason, lawyer_id=lawyer_id,
            date_from=date_from, date_to=date_to, q=q, sort=sort, page=page, per_page=per_page,
        )
    return LeadPage(items=[LeadOut.model_validate(lead) for lead in result.items], total=result.total,
                    page=result.page, per_page=result.per_page)


@router.get("/leads/{lead_id}", response_model=LeadDetail, summary="One lead with its history", responses=NOT_FOUND)
def get_lead(lead_id: LeadId, session: Session = Depends(get_session)) -> LeadDetail:
    with http_errors():
        return LeadDetail.model_validate(service.get_lead(session, lead_id=lead_id))


@router.patch(
    "/leads/{lead_id}/status",
    response_model=LeadDetail,
    summary="Move a lead along the pipeline",
    description="new → assigned → contacted → consultation_scheduled → retained | not_retained (reason required) | "
    "closed; closed is allowed from any open status.",
    responses={**NOT_FOUND, 409: {"model": ErrorResponse, "description": "Transition not allowed"}, **VALIDATION_ERROR},
)
def change_status(lead_id: LeadId, body: StatusChange, session: Session = Depends(get_session)) -> LeadDetail:
    with http_errors():
        lead = service.change_status(session, lead_id=lead_id, new_status=body.status, actor=body.actor, reason=body.reason)
    return LeadDetail.model_validate(lead)
