"""A bounded HTTP load generator for bench/http_reads.py: N threads, one keep-alive connection each.

Each thread repeats its job (one request, or a sequence such as book + cancel) until the round's
deadline; every request is recorded with its status and latency. No more than N requests are ever
in flight, so the server is measured at a fixed concurrency rather than flooded.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    non_2xx: int = 0
    errors: int = 0
    seconds: float = 0.0
    samples: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def add(self, other: Result) -> None:
        self.latencies += other.latencies
        self.non_2xx += other.non_2xx
        self.errors += other.errors
        self.seconds += other.seconds
        self.samples = (self.samples + other.samples)[:3]

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Conn:
    """One keep-alive HTTP/1.1 connection; reconnects after an error or a server-side close."""

    def __init__(self, port: int):
        self.port = port
        self.http: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, token: str | None = None, body: dict | None = None
                ) -> tuple[int, bytes]:
        headers = {"Accept": "application/json", "Connection": "keep-alive"}
        data = None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        for attempt in (1, 2):
            if self.http is None:
                self.http = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                self.http.request(method, path, body=data, headers=headers)
                response = self.http.getresponse()
                payload = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, payload
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.http is not None:
            self.http.close()
            self.http = None


# A job does one unit of work on its connection and calls record(status, seconds, body) per request.
Job = Callable[[Conn, int, Callable[[int, float, bytes], None]], None]


def run(port: int, job: Job, *, connections: int, seconds: float) -> Result:
    """Run `job` on `connections` threads for `seconds`; the pooled result of every request."""
    result, lock = Result(), threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        conn, mine = Conn(port), Result()

        def record(status: int, took: float, body: bytes = b"") -> None:
            mine.latencies.append(took)
            if not 200 <= status < 300:
                mine.non_2xx += 1
                if len(mine.samples) < 2:
                    mine.samples.append(f"{status} {body[:200]!r}")

        try:
            while time.monotonic() < deadline:
                try:
                    job(conn, index, record)
                except (http.client.HTTPException, OSError) as exc:
                    mine.errors += 1
                    mine.samples.append(repr(exc))
                    time.sleep(0.05)
        finally:
            conn.close()
        with lock:
            result.add(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result


def get(path: str, token: str | None = None) -> Job:
    """A job of one GET."""

    def job(conn: Conn, _index: int, record) -> None:
        started = time.perf_counter()
        status, body = conn.request("GET", path, token)
        record(status, time.perf_counter() - started, body)

    return job
