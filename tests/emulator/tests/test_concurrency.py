"""Slow calls overlap: latency is slept outside every lock."""

import threading
import time

from alicloud_emulator.testing import api_call

CALLS = 100


def test_hundred_concurrent_slow_calls_overlap(emulator):
    emulator.set_faults(latency_ms=100)
    emulator.control("DELETE", "/_emulator/stats")
    start = threading.Barrier(CALLS)
    statuses = []
    lock = threading.Lock()

    def one():
        start.wait()
        answer = api_call(emulator, "sts.cn-hangzhou.aliyuncs.com", "GetCallerIdentity", "2015-04-01")
        with lock:
            statuses.append(answer.status)

    threads = [threading.Thread(target=one) for _call in range(CALLS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    wall = time.monotonic() - began
    print(f"\n{CALLS} calls with 100 ms latency took {wall:.2f} s")
    assert statuses == [200] * CALLS
    stats = emulator.stats()
    assert stats["requests_total"] == CALLS
    assert stats["max_in_flight"] > 50, stats
