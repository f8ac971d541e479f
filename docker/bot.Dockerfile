# The bot image: Rasa 3.6 (Python 3.10) and the rasa-sdk action server share it; the command differs.
FROM python:3.10-slim
WORKDIR /srv
ENV PYTHONUNBUFFERED=1 PYTHONPATH=/srv HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 RASA_TELEMETRY_ENABLED=false
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY bot/requirements.in bot/requirements.lock bot/
RUN pip install --no-cache-dir -r bot/requirements.in -c bot/requirements.lock
COPY bot/ bot/
COPY nlu_data/ nlu_data/
COPY scripts/train_bot.py scripts/
# The model is trained into the image so that every replica serves the same one.
RUN python scripts/train_bot.py
CMD ["sh", "-c", "python -m rasa run --enable-api --auth-token \"$RASA_TOKEN\" --interface 0.0.0.0 --port 5005 --model var/models/$(python -c 'import json;print(json.load(open(\"var/models/current.json\"))[\"model\"])') --endpoints bot/endpoints.compose.yml --credentials bot/credentials.yml"]
