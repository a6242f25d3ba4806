"""Start the emulator for a test, talk to its control API, stop it again.

    with running_emulator() as emu:
        emu.env["ALIBABA_CLOUD_ACCESS_KEY_ID"]
        emu.control("PUT", "/_emulator/faults", {"throttle_rate": 1.0})
        emu.calls()

The emulator runs as a subprocess of the real CLI, so a test sees exactly
what a playbook run sees. Pytest fixtures are at the bottom (``emulator``,
``emulator_env``); ``tests/emulator/tests/conftest.py`` re-exports them.
"""

from __future__ import annotations

import json as _json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0

# Proxy-free opener: the control API is on loopback and must never go
# through HTTP_PROXY, even when a test has pointed the environment at us.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ControlError(Exception):
    def __init__(self, status: int, body: Any):
        super().__init__(f"control API answered {status}: {body}")
        self.status = status
        self.body = body


def read_env_file(path: str | os.PathLike) -> Dict[str, str]:
    env: Dict[str, str] = {}
    for line in Path(path).read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key] = value
    return env


class RunningEmulator:
    def __init__(self, process: subprocess.Popen, url: str, env: Dict[str, str], workdir: str):
        self.process = process
        self.url = url
        self.env = env
        self.workdir = workdir
        self.stderr_path = os.path.join(workdir, "stderr.log")

    # -- control API -------------------------------------------------------
    def control(self, method: str, path: str, json: Any = None, timeout: float = 30.0) -> Any:
        """Call the control API; answers the decoded JSON body, raises
        ``ControlError`` for a 4xx/5xx answer."""
        data = None
        headers = {}
        if json is not None:
            data = _json.dumps(json).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with _OPENER.open(request, timeout=timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                decoded = _json.loads(raw)
            except ValueError:
                decoded = raw.decode(errors="replace")
            raise ControlError(err.code, decoded) from None
        return _json.loads(body) if body else None

    def calls(self) -> List[Dict[str, Any]]:
        return self.control("GET", "/_emulator/calls")["calls"]

    def clear_calls(self) -> None:
        self.control("DELETE", "/_emulator/calls")

    def set_faults(self, **faults: Any) -> Dict[str, Any]:
        return self.control("PUT", "/_emulator/faults", faults)

    def reset_faults(self) -> Dict[str, Any]:
        return self.set_faults(latency_ms=0, throttle_rate=0.0, error_rate=0.0, drop_rate=0.0, down_regions=[])

    def stats(self) -> Dict[str, Any]:
        return self.control("GET", "/_emulator/stats")

    def state(self) -> Dict[str, Any]:
        return self.control("GET", "/_emulator/state")

    def reset(self) -> None:
        """Empty product state, clear calls, faults, settings and stats; identities stay."""
        self.control("POST", "/_emulator/reset")
        self.reset_faults()
        self.control("PUT", "/_emulator/settings", {"deletion_task_ms": 300})
        self.clear_calls()
        self.control("DELETE", "/_emulator/stats")

    def stderr(self) -> str:
        try:
            return Path(self.stderr_path).read_text(errors="replace")
        except OSError:
            return ""

    # -- convenience for SDK tests ----------------------------------------
    @property
    def access_key_id(self) -> str:
        return self.env["ALIBABA_CLOUD_ACCESS_KEY_ID"]

    @property
    def access_key_secret(self) -> str:
        return self.env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"]

    @property
    def account_id(self) -> str:
        return self.env["EMULATOR_ACCOUNT_ID"]


def _first_line(stream, timeout: float) -> Optional[str]:
    lines: "queue.Queue[str]" = queue.Queue()
    reader = threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True)
    reader.start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return None


def _stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
    return process.returncode


@contextmanager
def running_emulator(*extra_args: str, state: Optional[str | os.PathLike] = None) -> Iterator[RunningEmulator]:
    """Run ``alicloud-emulator`` on a free loopback port for the block.

    On exit the process gets SIGTERM and must exit 0 (asserted)."""
    with tempfile.TemporaryDirectory(prefix="alicloud-emulator-") as workdir:
        env_file = os.path.join(workdir, "emulator.env")
        args = [sys.executable, "-m", "alicloud_emulator.cli", "--host", "127.0.0.1", "--port", "0", "--env-file", env_file]
        if state is not None:
            args += ["--state", os.fspath(state)]
        args += list(extra_args)
        child_env = dict(os.environ)
        # The emulator itself must not send anything through a proxy a test set.
        for key in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
            child_env.pop(key, None)
        with open(os.path.join(workdir, "stderr.log"), "wb") as stderr:
            process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr, env=child_env, text=True)
        try:
            line = _first_line(process.stdout, START_TIMEOUT)
            prefix = "alicloud-emulator listening on "
            if not line or not line.startswith(prefix):
                _stop(process)
                log = Path(workdir, "stderr.log").read_text(errors="replace")
                raise RuntimeError(f"emulator did not start (first line {line!r}); stderr:\n{log}")
            emu = RunningEmulator(process, line[len(prefix):].strip(), read_env_file(env_file), workdir)
            yield emu
        finally:
            code = _stop(process)
            if process.stdout is not None:
                process.stdout.close()
        stderr_log = Path(workdir, "stderr.log")
        stderr = stderr_log.read_text(errors="replace") if stderr_log.exists() else ""
        assert code == 0, f"emulator exited with {code}; stderr:\n{stderr}"


# -- hand-made API calls ---------------------------------------------------------
class ApiAnswer:
    def __init__(self, status: int, headers: Dict[str, str], body: bytes):
        self.status = status
        self.headers = headers
        self.raw = body
        try:
            self.json = _json.loads(body) if body else None
        except ValueError:
            self.json = None

    @property
    def code(self) -> Optional[str]:
        return (self.json or {}).get("Code") if isinstance(self.json, dict) else None

    def __repr__(self) -> str:
        return f"ApiAnswer({self.status}, {self.json if self.json is not None else self.raw[:200]!r})"


def api_call(emu: RunningEmulator, host: str, action: str, version: str, params: Optional[Dict[str, str]] = None, *,
             access_key_id: Optional[str] = None, access_key_secret: Optional[str] = None,
             security_token: Optional[str] = None, style: str = "acs3", date: Optional[str] = None,
             nonce: Optional[str] = None, form: Optional[Dict[str, str]] = None, method: str = "POST",
             timeout: float = 30.0) -> ApiAnswer:
    """One signed API call through the emulator's proxy, built by hand so a
    test controls every part (date, nonce, token, signature style).

    ``style`` is ``"acs3"`` (ACS3-HMAC-SHA256) or ``"rpc"`` (HMAC-SHA1)."""
    import http.client
    import uuid
    from urllib.parse import urlencode, urlsplit

    from . import signing

    key_id = access_key_id or emu.access_key_id
    secret = access_key_secret if access_key_secret is not None else emu.access_key_secret
    nonce = nonce or uuid.uuid4().hex
    date = date or signing.utc_timestamp()
    query = dict(params or {})
    body = urlencode(form).encode() if form else b""
    headers = {"host": host}
    if form:
        headers["content-type"] = "application/x-www-form-urlencoded"
    if style == "acs3":
        headers.update({"x-acs-action": action, "x-acs-version": version, "x-acs-date": date,
                        "x-acs-signature-nonce": nonce})
        if security_token:
            headers["x-acs-security-token"] = security_token
            headers["x-acs-accesskey-id"] = key_id
        headers = signing.acs3_authorization(key_id, secret, method, "/", list(query.items()), headers, body)
    elif style == "rpc":
        query.update({"Action": action, "Version": version, "Format": "JSON", "AccessKeyId": key_id,
                      "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": nonce,
                      "Timestamp": date})
        if security_token:
            query["SecurityToken"] = security_token
        query = signing.rpc_sign({**query, **(form or {})}, secret, method)
        for name in form or {}:
            query.pop(name, None)
    else:
        raise ValueError(style)
    target = f"http://{host}/" + (f"?{urlencode(query)}" if query else "")
    proxy = urlsplit(emu.url)
    conn = http.client.HTTPConnection(proxy.hostname, proxy.port, timeout=timeout)
    try:
        conn.request(method, target, body=body, headers=headers)
        response = conn.getresponse()
        return ApiAnswer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        conn.close()


# -- pytest fixtures ----------------------------------------------------------
try:
    import pytest
except ImportError:  # the emulator itself does not need pytest
    pytest = None

if pytest is not None:

    @pytest.fixture(scope="session")
    def emulator_session() -> Iterator[RunningEmulator]:
        """One emulator for the whole test session."""
        with running_emulator() as emu:
            yield emu

    @pytest.fixture
    def emulator(emulator_session: RunningEmulator) -> RunningEmulator:
        """The session's emulator, emptied: no product state, no faults, no calls."""
        emulator_session.reset()
        return emulator_session

    @pytest.fixture
    def emulator_env(emulator: RunningEmulator, monkeypatch) -> RunningEmulator:
        """``emulator`` with its env file applied to ``os.environ`` (proxies,
        credentials, CA bundle), so an unmodified SDK client reaches it."""
        for key, value in emulator.env.items():
            monkeypatch.setenv(key, value)
        # Stale credentials from the developer's shell must not leak in.
        for key in ("ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_ROLE_ARN"):
            monkeypatch.delenv(key, raising=False)
        return emulator
