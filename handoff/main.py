"""Application factory: `uvicorn handoff.main:create_app --factory`."""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from .admin import install_admin
from .admin.dashboard import router as dashboard_router
from .chat.rasa_client import RasaClient
from .chat.router import router as chat_router
from .chat.triage import router as triage_router
from .conversations.repository import make_tracker_engine
from .db import make_engine, make_session_factory
from .errors import install_error_handlers
from .lawyers.router import router as lawyers_router
from .leads.router import router as leads_router
from .nlu_inbox.router import router as nlu_inbox_router
from .notifications import build_notifier
from .settings import Settings, get_settings

WEB_DIR = Path(__file__).parent / "web"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs full URLs at INFO, and Rasa's token travels in the query string.
    logging.getLogger("httpx").setLevel(logging.WARNING)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        await app.state.rasa.aclose()
        app.state.engine.dispose()
        app.state.tracker_engine.dispose()

    app = FastAPI(title="LegalAid Chat", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.session_factory = make_session_factory(app.state.engine)
    # Rasa's tracker store: conversations, read-only for the admin panel, the NLU inbox and analytics.
    app.state.tracker_engine = make_tracker_engine(settings.tracker_database_url)
    app.state.notifier = build_notifier(settings)
    app.state.rasa = RasaClient(base_url=settings.rasa_url, token=settings.rasa_token, timeout=settings.rasa_timeout_seconds)

    install_error_handlers(app)
    # The widget is embedded on partner sites: only the public chat/triage API is cross-origin.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[o.strip() for o in settings.cors_origins.split(",") if o.strip()],
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Content-Type", "X-Display-Text"],
        allow_credentials=False,
    )
    app.include_router(chat_router)
    app.include_router(triage_router)
    app.include_router(leads_router)
    app.include_router(lawyers_router)
    # Staff admin panel under /admin (refuses to start without SECRET_KEY; the rest of the app still runs).
    install_admin(app, settings)
    app.include_router(dashboard_router)  # analytics dashboard (/admin/dashboard, reviewer role)
    app.include_router(nlu_inbox_router)  # NLU inbox and retraining (/admin/inbox, reviewer; retrain/rollback: admin)

    @app.get("/api/health", tags=["ops"])
    async def health() -> dict:
        return {"status": "ok"}

    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")

    @app.get("/widget.js", include_in_schema=False)
    async def widget_js() -> FileResponse:
        return FileResponse(WEB_DIR / "static" / "widget.js", media_type="application/javascript")

    @app.get("/", include_in_schema=False)
    async def demo_page() -> FileResponse:
        return FileResponse(WEB_DIR / "templates" / "demo.html", media_type="text/html")

    return app
