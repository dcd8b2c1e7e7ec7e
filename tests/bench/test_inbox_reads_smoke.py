"""bench/inbox_reads.py still runs end to end at a tiny size and prints its figures."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_inbox_reads_benchmark_runs_and_reports(db_url):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if db_url.startswith("postgresql"):  # the bench works in a private schema there
        env["DATABASE_URL"] = db_url
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "inbox_reads.py"), "--small", "200", "--large", "1000", "--open", "20",
         "--repeat", "2"],
        capture_output=True, text=True, timeout=180, env=env, cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert re.search(r"^small: 205 messages in 18 history threads \+ 20 open", out, re.M), out
    assert re.search(r"^large: 1005 messages in 98 history threads \+ 20 open", out, re.M), out
    for read in ("pool inbox", "patient's threads", "open a thread"):
        assert re.search(rf"^ratio {read}: [\d.]+ \(wall [\d.]+\)$", out, re.M), out
