"""``alicloud-emulator``: start the emulator, announce it, serve until
SIGTERM or Ctrl-C, exit 0."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import threading
from typing import Dict, List, Optional

from . import identities, persistence
from .api import State
from .calls import CallLog, Stats
from .certs import CertificateAuthority
from .control import Control
from .dispatcher import Dispatcher, Settings
from .faults import Faults
from .products import discover
from .server import EmulatorServer

# Environment variables through which the HTTP stacks the SDKs use find a CA
# bundle: SSL_CERT_FILE (OpenSSL defaults: ssl.create_default_context, so
# darabonba/Tea's requests adapters and aiohttp), REQUESTS_CA_BUNDLE and
# CURL_CA_BUNDLE (requests.Session.request), ALIBABA_CLOUD_CA_BUNDLE
# (aliyun-python-sdk-core).
CA_BUNDLE_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "ALIBABA_CLOUD_CA_BUNDLE")


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="alicloud-emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--state", help="JSON file to load at start and save on every change")
    parser.add_argument("--env-file", help="write KEY=VALUE lines for clients (proxies, credentials, CA)")
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--throttle-rate", type=float, default=0.0)
    parser.add_argument("--error-rate", type=float, default=0.0)
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    return parser.parse_args(argv)


def client_environment(url: str, summary: Dict[str, str], ca: CertificateAuthority) -> Dict[str, str]:
    env = {
        "HTTP_PROXY": url, "http_proxy": url,
        "HTTPS_PROXY": url, "https_proxy": url,
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
        "ALIBABA_CLOUD_ACCESS_KEY_ID": summary["AccessKeyId"],
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": summary["AccessKeySecret"],
        "ALIBABA_CLOUD_REGION_ID": "cn-hangzhou",
        "ALICLOUD_PROTOCOL": "http",
        "EMULATOR_URL": url,
        "EMULATOR_ACCOUNT_ID": summary["AccountId"],
        "EMULATOR_READONLY_ACCESS_KEY_ID": summary["ReadOnlyAccessKeyId"],
        "EMULATOR_READONLY_ACCESS_KEY_SECRET": summary["ReadOnlyAccessKeySecret"],
        "EMULATOR_CA_CERT": ca.cert_path,
    }
    env.update({name: ca.bundle_path for name in CA_BUNDLE_VARIABLES})
    return env


def write_env_file(path: str, env: Dict[str, str]) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.writelines(f"{key}={value}\n" for key, value in env.items())
    os.replace(tmp, path)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    state_path = os.path.abspath(args.state) if args.state else None
    state = State(persistence.load(state_path) if state_path else None,
                  persist=persistence.saver(state_path) if state_path else None)
    with state.write() as data:
        data.setdefault("accounts", {})
        account_id = identities.ensure_default_account(data)
        summary = identities.account_summary(data, account_id)

    # With --state the CA lives beside it, so clients that trusted it keep trusting it.
    ca_dir = f"{state_path}.ca" if state_path else tempfile.mkdtemp(prefix="alicloud-emulator-ca-")
    ca = CertificateAuthority(ca_dir)
    faults = Faults(latency_ms=args.latency_ms, throttle_rate=args.throttle_rate, error_rate=args.error_rate)
    dispatcher = Dispatcher(state, discover(), faults, Settings(), CallLog(), Stats())
    server = EmulatorServer((args.host, args.port), dispatcher, ca, verbose=args.verbose)
    host, port = server.server_address[:2]
    url = f"http://{host}:{port}"
    env = client_environment(url, summary, ca)
    server.control = Control(dispatcher, {"url": url, "account_id": account_id, "ca_cert": ca.cert_path,
                                          "ca_bundle": ca.bundle_path, "products": sorted(dispatcher.products),
                                          "state_file": state_path})
    if args.env_file:
        write_env_file(args.env_file, env)

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    serving.start()
    print(f"alicloud-emulator listening on {url}", flush=True)
    print(f"alicloud-emulator: products {', '.join(sorted(dispatcher.products))}; account {account_id}",
          file=sys.stderr, flush=True)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    if not state_path:
        shutil.rmtree(ca_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
