"""The record of API calls served, and the in-flight counters behind
``GET /_emulator/stats``."""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

READ_PREFIXES = ("List", "Get", "Describe")


def is_write(action: Optional[str]) -> bool:
    return not (action or "").startswith(READ_PREFIXES)


class CallLog:
    def __init__(self):
        self._lock = threading.Lock()
        self._calls: List[Dict[str, Any]] = []

    def record(self, *, product: Optional[str], region: Optional[str], action: Optional[str],
               access_key_id: Optional[str], http_status: int, code: Optional[str]) -> None:
        entry = {
            "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "product": product,
            "region": region,
            "action": action,
            "access_key_id": access_key_id,
            "http_status": http_status,
            "code": code,
            "write": is_write(action),
        }
        with self._lock:
            self._calls.append(entry)

    def list(self) -> List[Dict[str, Any]]:
        with self._lock:
            return list(self._calls)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()


class Stats:
    """How many API calls are being served right now, and the most at once."""

    def __init__(self):
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.total = 0

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.total += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def snapshot(self) -> Dict[str, int]:
        with self._lock:
            return {"in_flight": self.in_flight, "max_in_flight": self.max_in_flight, "requests_total": self.total}

    def reset(self) -> None:
        with self._lock:
            self.max_in_flight = self.in_flight
            self.total = 0
