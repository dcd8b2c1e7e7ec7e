"""bench/notify_kill.py, small and bounded: SIGKILL a worker mid-batch; duplicates <= in flight, nothing lost.

Runs on the suite's PostgreSQL database when TEST_DATABASE_URL is set (the bench uses a private schema there),
else on a temporary SQLite file.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("channel", "messages", "batch"), [("push", 200, 25), ("sms", 60, 20)])
def test_a_worker_killed_mid_batch_resends_at_most_what_was_in_flight(db_url, channel, messages, batch):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if db_url.startswith("postgresql"):  # the suite's engine; the bench works in a private schema
        env["DATABASE_URL"] = db_url
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "notify_kill.py"), "--channel", channel, "--messages", str(messages),
         "--batch", str(batch)],
        capture_output=True, text=True, timeout=300, env=env, cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    kill = next(line for line in result.stdout.splitlines() if line.startswith("kill: "))
    match = re.fullmatch(r"result: delivered (\d+) of (\d+), duplicates (\d+), in flight at the kill (\d+), lost (\d+)",
                         result.stdout.strip().splitlines()[-1])
    assert match, result.stdout
    delivered, total, duplicates, in_flight, lost = map(int, match.groups())
    assert (delivered, total, lost) == (messages, messages, 0)
    assert duplicates <= in_flight
    sent_at_kill = int(re.search(r"outbox: (\d+) sent", kill)[1])
    assert 0 < sent_at_kill < messages  # the kill came mid-run
    # Never the batch: push has one send_each call in flight at most, SMS one text.
    assert in_flight <= (batch if channel == "push" else 1)
