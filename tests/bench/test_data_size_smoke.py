"""bench/data_size.py still loads two sizes, serves both and prints a size ratio per read (tiny sizes)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_data_size_benchmark_prints_a_ratio_per_read_and_the_worst_last():
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("the data-size benchmark loads PostgreSQL with COPY: it runs in the PostgreSQL pass")
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env["DATABASE_URL"] = url
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "data_size.py"), "--sizes", "15,40", "--seconds", "0.3",
         "--rounds", "1", "--connections", "1", "--workers", "1", "--db-prefix", f"bench_smoke_{uuid.uuid4().hex[:8]}"],
        capture_output=True, text=True, timeout=300, env=env, cwd=ROOT,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "40 patients copied" in out and "400 audit events copied" in out, out
    ratios = [float(m) for m in re.findall(r"^size ratio .*: (\d+\.\d\d)$", out, re.M)]
    assert len(ratios) == 8, out
    for size in ("15", "40"):
        assert len(re.findall(rf"^GET .* @ {size} +rps +[\d.]+ +p50 .* non-2xx 0$", out, re.M)) == 8, out
    worst = re.search(r"^ratio (\d+\.\d\d)$", out, re.M)
    assert worst and float(worst.group(1)) == max(ratios), out
