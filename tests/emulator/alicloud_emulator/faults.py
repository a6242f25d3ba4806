"""Run-time fault injection: latency, throttling, 5xx, dropped connections,
regions that are down. Decided per API call before its handler runs, so a
faulted write never changes state."""

from __future__ import annotations

import random
import threading
from typing import Any, Dict, Optional

DOWN = "down"
DROP = "drop"
THROTTLE = "throttle"
ERROR = "error"

_RATES = ("throttle_rate", "error_rate", "drop_rate")


class Faults:
    def __init__(self, latency_ms: float = 0, throttle_rate: float = 0.0, error_rate: float = 0.0,
                 drop_rate: float = 0.0, down_regions=()):
        self._lock = threading.Lock()
        self._random = random.Random()
        self._values: Dict[str, Any] = {
            "latency_ms": 0, "throttle_rate": 0.0, "error_rate": 0.0, "drop_rate": 0.0, "down_regions": [],
        }
        self.update({"latency_ms": latency_ms, "throttle_rate": throttle_rate, "error_rate": error_rate,
                     "drop_rate": drop_rate, "down_regions": list(down_regions)})

    def snapshot(self) -> Dict[str, Any]:
        with self._lock:
            return {**self._values, "down_regions": list(self._values["down_regions"])}

    def update(self, changes: Dict[str, Any]) -> Dict[str, Any]:
        """Merge the given keys; raises ValueError (nothing applied) on a bad one."""
        clean: Dict[str, Any] = {}
        for key, value in changes.items():
            if key == "latency_ms":
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                    raise ValueError("latency_ms must be a number >= 0")
                clean[key] = value
            elif key in _RATES:
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                    raise ValueError(f"{key} must be a number between 0 and 1")
                clean[key] = float(value)
            elif key == "down_regions":
                if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
                    raise ValueError("down_regions must be a list of region IDs")
                clean[key] = list(value)
            else:
                raise ValueError(f"unknown fault {key!r}")
        with self._lock:
            self._values.update(clean)
            return {**self._values, "down_regions": list(self._values["down_regions"])}

    def latency_seconds(self) -> float:
        with self._lock:
            return self._values["latency_ms"] / 1000.0

    def decide(self, region: Optional[str]) -> Optional[str]:
        """Which fault, if any, this call gets."""
        with self._lock:
            values = self._values
            if region is not None and region in values["down_regions"]:
                return DOWN
            draw = self._random.random
            if values["drop_rate"] and draw() < values["drop_rate"]:
                return DROP
            if values["throttle_rate"] and draw() < values["throttle_rate"]:
                return THROTTLE
            if values["error_rate"] and draw() < values["error_rate"]:
                return ERROR
            return None
