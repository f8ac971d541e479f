"""`python -m analytics.report` end to end on the fixture databases."""
from __future__ import annotations

import json

import pytest

from analytics.report import main


@pytest.fixture(scope="module")
def report_dir(world, tmp_path_factory):
    from analytics_fixture import LABELS

    app_url, tracker_url, _, _ = world
    out = tmp_path_factory.mktemp("report")
    labels = out / "labels.tsv"
    labels.write_text("event_id\tgold\n" + "".join(f"{k}\t{v}\n" for k, v in LABELS.items()))
    code = main(["--out", str(out), "--database-url", app_url, "--tracker-url", tracker_url, "--labels", str(labels),
                 "--lead-value", "100", "--lead-rate", "0.2", "--wrong-answer-cost", "40",
                 "--needless-referral-cost", "20", "--containment-value", "10",
                 "--baseline-weeks", "1", "--min-messages", "3"])
    assert code == 0
    return out


def test_report_files(report_dir):
    report = (report_dir / "report.md").read_text()
    charts = sorted(p.name for p in (report_dir / "charts").glob("*.png"))
    assert charts == sorted(["weekly.png", "handoff_reasons.png", "topics.png", "feedback.png", "leads.png",
                             "confidence_histogram.png", "reliability.png", "coverage.png", "per_topic_scores.png",
                             "advisor.png", "drift.png"])
    for name in charts:
        assert (report_dir / "charts" / name).read_bytes().startswith(b"\x89PNG")
        assert f"(charts/{name})" in report


def test_report_figures(report_dir):
    report = (report_dir / "report.md").read_text()
    assert "| Containment | 40.0% | Accuracy | 66.7% |" in report
    assert "| Handoff rate | 60.0% | Macro-F1 | 0.667 |" in report
    assert "| Consent rate | 75.0% |" in report
    assert "| Lead → retained | 33.3% (of finished: 50.0%) |" in report
    assert "**Recommended threshold: 0.61**" in report
    assert "Flagged weeks: 2026-W46, 2026-W47." in report
    # Definitions are printed, not just numbers.
    assert "Containment rate: share of conversations that ended without a handoff" in report
    assert "EV(t) = S·#answered-correct" in report
    assert "total variation" in report
    # Per-topic and per-week tables.
    assert "| employment | 2 | 50.0% | 50.0% |" in report
    assert "| 2026-W46 (2026-11-09) | 3 | 0.0% | 100.0% |" in report
    # No personal data from the leads or the lead form.
    assert "Test Person" not in report and "example.com" not in report


def test_summary_json(report_dir):
    summary = json.loads((report_dir / "summary.json").read_text())
    assert summary["business"]["overall"]["conversations"] == 10
    assert summary["advisor"]["best"]["threshold"] == pytest.approx(0.61)
    assert "Test Person" not in (report_dir / "summary.json").read_text()


def test_period_filter(world, tmp_path):
    app_url, tracker_url, _, _ = world
    code = main(["--out", str(tmp_path), "--database-url", app_url, "--tracker-url", tracker_url,
                 "--since", "2026-11-09", "--until", "2026-11-16"])
    assert code == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["business"]["overall"]["conversations"] == 3     # W46 only: c4, c5, c6
    assert summary["business"]["overall"]["leads"] == 1             # L1
    # Inbox labels of W46's messages only: 401 immigration ✓, 501 crime ✓, 601 torts ✗ (predicted traffic).
    assert summary["model"]["scores"]["n"] == 3
    assert summary["model"]["scores"]["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert len(summary["model"]["labels_missing_event"]) == 7


def test_labels_come_from_the_inbox_by_default(world, tmp_path):
    app_url, tracker_url, _, _ = world
    assert main(["--out", str(tmp_path), "--database-url", app_url, "--tracker-url", tracker_url]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["model"]["labels"] == 10 and summary["model"]["scores"]["n"] == 9
    assert summary["model"]["scores"]["accuracy"] == pytest.approx(6 / 9, abs=1e-4)


def test_missing_tracker(world, tmp_path, capsys):
    app_url, _, _, _ = world
    code = main(["--out", str(tmp_path / "out"), "--database-url", app_url,
                 "--tracker-url", f"sqlite:///{tmp_path / 'missing.db'}"])
    assert code == 2
    assert "does not exist yet" in capsys.readouterr().err
    assert not (tmp_path / "missing.db").exists()            # looking did not create it
    (tmp_path / "empty.db").touch()
    code = main(["--out", str(tmp_path / "out"), "--database-url", app_url,
                 "--tracker-url", f"sqlite:///{tmp_path / 'empty.db'}"])
    assert code == 2
    assert "no events table" in capsys.readouterr().err


def test_bad_arguments(world, tmp_path):
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path), "--lead-rate", "2"])
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path), "--since", "2026-11-10", "--until", "2026-11-01"])
