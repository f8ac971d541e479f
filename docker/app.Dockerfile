# The web app: chat API, referral service, admin panel and analytics (Python 3.11).
FROM python:3.11-slim
WORKDIR /srv
ENV PYTHONUNBUFFERED=1
COPY pyproject.toml requirements-app.lock ./
COPY handoff/ handoff/
COPY analytics/ analytics/
RUN pip install --no-cache-dir . -c requirements-app.lock
COPY scripts/ scripts/
COPY bot/knowledge/ bot/knowledge/
# The bot's thresholds (the analytics' advisor, the admin's confidence colours) are read from its config.
COPY bot/config.yml bot/config.yml
COPY nlu_data/ nlu_data/
CMD ["sh", "-c", "python -m alembic -c handoff/alembic.ini upgrade head && python -m handoff.cli seed && uvicorn handoff.main:create_app --factory --host 0.0.0.0 --port 8000"]
