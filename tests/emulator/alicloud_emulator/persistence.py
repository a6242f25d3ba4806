"""Loading and atomically saving the state file.

A save writes a temp file in the same directory, fsyncs it, renames it over
the old file and fsyncs the directory: after a crash the file is either the
previous or the new version, never a torn mix, and a write acknowledged to a
client (saved before the response is sent) is on disk.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Dict, Optional


def load(path: str) -> Optional[Dict[str, Any]]:
    try:
        with open(path, "r", encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None


def save(path: str, data: Dict[str, Any]) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    payload = json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=".state-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def saver(path: str):
    """A ``persist`` callback for ``api.State``."""
    return lambda data: save(path, data)
