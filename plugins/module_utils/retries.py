# Copyright: (c) 2026, alicloud.kms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one retry policy of the collection: jittered exponential backoff.

"Full jitter" (sleep a random time between 0 and the capped exponential
delay) spreads the retries of many concurrent callers, so a throttled region
is not hit again by all of them at the same instant.
"""

from __future__ import annotations

import random
import time

from ansible_collections.alicloud.kms.plugins.module_utils.errors import from_exception


class RetryPolicy:
    def __init__(self, max_retries=10, base_delay=0.2, max_delay=10.0, sleep=time.sleep, rand=random.random):
        if max_retries < 0:
            raise ValueError("max_retries must be at least 0")
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self._rand = rand

    def delay(self, attempt):
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        cap = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return cap * self._rand()

    def call(self, fn, action=None, region=None, product=None, on_retry=None):
        """Run ``fn()`` until it succeeds, fails for good, or the budget is spent.

        Whatever it raises leaves as an ``AlicloudError``; ``on_retry(error,
        attempt, delay)`` is told of each retry (for counting, not control).
        """
        attempt = 0
        while True:
            try:
                return fn()
            except Exception as exc:  # the SDK raises many unrelated types
                error = from_exception(exc, action=action, region=region, product=product)
                attempt += 1
                if not error.is_retryable or attempt > self.max_retries:
                    raise error from None
                pause = self.delay(attempt)
                if on_retry is not None:
                    on_retry(error, attempt, pause)
                self._sleep(pause)
