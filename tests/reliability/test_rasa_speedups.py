"""bot/rasa_speedups.py inside the bot environment (a subprocess of .venv-bot's Python): the cached
action-response validator accepts and refuses exactly what jsonschema.validate does, and SQLite
tracker-store connections get WAL + synchronous=NORMAL; nothing changes in the action server."""
from __future__ import annotations

import subprocess
import textwrap

import pytest

from tests.reliability.conftest import REPO

BOT_PY = REPO / ".venv-bot" / "bin" / "python"

CHECK = textwrap.dedent(
    """
    import json, sys, tempfile, os
    import rasa.core.processor  # as `rasa run` does before it loads the model
    import sqlalchemy as sa
    from jsonschema import ValidationError, validate
    from rasa.core.actions.action import RemoteAction

    engine = sa.create_engine("sqlite:///" + os.path.join(tempfile.mkdtemp(), "tracker.db"))  # made before, like Rasa's
    import bot  # noqa: F401 - applies the patches
    from bot.rasa_speedups import _cached_validate_action_result
    assert RemoteAction._validate_action_result is _cached_validate_action_result

    spec = RemoteAction.action_response_format_spec()
    action = RemoteAction("x", None)
    cases = [
        {"events": [{"event": "slot", "name": "a", "value": 1, "timestamp": None}], "responses": [{"text": "hi"}]},
        {"events": [], "responses": []}, {}, {"events": "nope"}, {"events": [{"event": "slot"}]},
        {"responses": [1]}, {"events": [{"event": "followup", "name": "action_x"}]}, {"events": [{"event": "unknown"}]},
    ]
    for case in cases:
        try:
            validate(case, spec); expected = True
        except ValidationError:
            expected = False
        try:
            got = action._validate_action_result(case)
        except ValidationError as error:
            got = False
            assert "Failed to validate Action server response" in error.message
        assert got == expected, (case, got, expected)

    with engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        sync = connection.exec_driver_sql("PRAGMA synchronous").scalar()
    assert (mode, sync) == ("wal", 1), (mode, sync)
    print("ok")
    """
)


@pytest.fixture(scope="module")
def bot_python():
    if not BOT_PY.exists():
        pytest.skip("no bot environment")
    return str(BOT_PY)


def test_speedups_in_the_rasa_process(bot_python):
    result = subprocess.run([bot_python, "-c", CHECK], cwd=REPO, capture_output=True, text=True, timeout=300,
                            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "RASA_TELEMETRY_ENABLED": "false"})
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr[-3000:]


def test_no_effect_in_the_action_server(bot_python):
    code = "import sys, bot.actions, bot.rasa_speedups as s; print('rasa.core' in sys.modules, s.apply())"
    result = subprocess.run([bot_python, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300,
                            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert result.stdout.split() == ["False", "False"], result.stderr[-2000:]
