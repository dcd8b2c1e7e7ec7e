"""bench/reminder_fanout.py still runs end to end (300 messages) and prints what bench/README.md quotes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_fanout_benchmark_runs_and_reports(db_url):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if db_url.startswith("postgresql"):  # the same engine as the suite; the bench uses a private schema
        env["DATABASE_URL"] = db_url
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "reminder_fanout.py"), "--messages", "300"],
        capture_output=True, text=True, timeout=180, env=env, cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    by_label = {line.split(":", 1)[0]: line for line in lines[:-1]}
    assert {"database", "seed", "plan", "pipeline", "memory", "bare", "check"} <= set(by_label)
    assert re.search(r"^pipeline: 300 messages in [\d.]+ s = \d+ messages/second \(1 send_each calls; ",
                     by_label["pipeline"])
    assert re.search(r"^bare: 300 messages in [\d.]+ s = \d+ messages/second", by_label["bare"])
    assert re.search(r"worker RSS peak [\d.]+ MiB; after 10% [\d.]+ MiB, after 100% [\d.]+ MiB", by_label["memory"])
    assert "outbox {'sent': 300}, 300 attempts, fake FCM accepted 600" in by_label["check"]
    match = re.fullmatch(r"ratio (\d+\.\d\d)", lines[-1])
    assert match and float(match[1]) > 0
