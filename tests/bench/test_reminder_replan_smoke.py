"""bench/reminder_replan.py still runs end to end (40 visits) and checks the outbox it leaves."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_replan_benchmark_runs_and_reports(db_url):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if db_url.startswith("postgresql"):  # the bench works in a private schema there
        env["DATABASE_URL"] = db_url
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "reminder_replan.py"), "--visits", "40"],
        capture_output=True, text=True, timeout=180, env=env, cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert re.search(r"^first planning: 120 reminders for 40 visits in [\d.]+ s = \d+ visits/s$", out, re.M)
    assert re.search(r"^offsets changed: 40 visits re-planned in [\d.]+ s = \d+ visits/s", out, re.M)
    assert "check: outbox {'cancelled': 80, 'pending': 120}: ok" in out
