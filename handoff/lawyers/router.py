"""REST API of lawyers under /api (service token required)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from ..deps import get_session
from ..leads.enums import Topic
from ..leads.schemas import ErrorResponse, LeadOut
from ..leads.validation import normalize_state
from ..service_auth import require_service_token
from ..service_errors import InvalidInput, http_errors
from . import service
from .schemas import LawyerCreate, LawyerOut, LawyerPage, LawyerUpdate

AUTH_ERRORS: dict[int | str, dict] = {
    401: {"model": ErrorResponse, "description": "Missing or wrong service token"},
    503: {"model": ErrorResponse, "description": "Service token not configured on the server"},
}
VALIDATION_ERROR: dict[int | str, dict] = {422: {"model": ErrorResponse, "description": "Invalid fields (see `errors`)"}}
NOT_FOUND: dict[int | str, dict] = {404: {"model": ErrorResponse, "description": "No such lawyer"}}
DUPLICATE: dict[int | str, dict] = {409: {"model": ErrorResponse, "description": "A lawyer with this email exists"}}

# Ids are 32-bit integers in every supported database.
MAX_ID = 2_147_483_647
LawyerId = Annotated[int, Path(ge=1, le=MAX_ID)]

router = APIRouter(prefix="/api", tags=["lawyers"], dependencies=[Depends(require_service_token)],
                   responses={**AUTH_ERRORS, **VALIDATION_ERROR})


@router.get("/lawyers", response_model=LawyerPage, summary="List lawyers", responses=VALIDATION_ERROR)
def list_lawyers(
    session: Session = Depends(get_session),
    topic: Topic | None = None,
    state: Annotated[str | None, Query(min_length=2, max_length=2, description="2-letter state code")] = None,
    active: bool | None = None,
    is_legal_aid: bool | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 50,
) -> LawyerPage:
    with http_errors(location="query"):
        if state is not None:
            try:
                state = normalize_state(state)
            except ValueError as exc:
                raise InvalidInput([("state", str(exc))]) from None
        result = service.list_lawyers(session, topic=topic, state=state, active=active, is_legal_aid=is_legal_aid,
                                      page=page, per_page=per_page)
    return LawyerPage(items=service.to_out(session, result.items), total=result.total, page=page, per_page=per_page)


@router.post("/lawyers", status_code=201, response_model=LawyerOut, summary="Add a lawyer",
             responses={**DUPLICATE, **VALIDATION_ERROR})
def create_lawyer(body: LawyerCreate, session: Session = Depends(get_session)) -> LawyerOut:
    with http_errors():
        lawyer = service.create_lawyer(session, data=body)
    return service.to_out(session, [lawyer])[0]


@router.get("/lawyers/{lawyer_id}", response_model=LawyerOut, summary="One lawyer", responses=NOT_FOUND)
def get_lawyer(lawyer_id: LawyerId, session: Session = Depends(get_session)) -> LawyerOut:
    with http_errors():
        lawyer = service.get_lawyer(session, lawyer_id=lawyer_id)
    return service.to_out(session, [lawyer])[0]


@router.patch("/lawyers/{lawyer_id}", response_model=LawyerOut, summary="Update a lawyer (partial); active=false deactivates",
              responses={**NOT_FOUND, **DUPLICATE, **VALIDATION_ERROR})
def update_lawyer(lawyer_id: LawyerId, body: LawyerUpdate, session: Session = Depends(get_session)) -> LawyerOut:
    with http_errors():
        lawyer = service.update_lawyer(session, lawyer_id=lawyer_id, data=body)
    return service.to_out(session, [lawyer])[0]


@router.get("/lawyers/{lawyer_id}/leads", response_model=list[LeadOut], summary="A lawyer's open leads", responses=NOT_FOUND)
def open_leads(lawyer_id: LawyerId, session: Session = Depends(get_session)) -> list[LeadOut]:
    with http_errors():
        leads = service.open_leads_for_lawyer(session, lawyer_id=lawyer_id)
    return [LeadOut.model_validate(lead) for lead in leads]
