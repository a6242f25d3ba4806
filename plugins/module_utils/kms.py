# Copyright: (c) 2026, alicloud.kms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""KMS secrets as this collection returns them: reading, normalising, and listing
the dynamic ECS secrets of many regions at once.

Secret values never pass through here: only metadata calls are made.
"""

from __future__ import annotations

import json
import re
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from ansible_collections.alicloud.kms.plugins.module_utils.alicloud import REGION_PATTERN, call_or_none, import_sdk
from ansible_collections.alicloud.kms.plugins.module_utils.errors import AlicloudError

SECRET_FIELDS = (
    "secret_name", "region_id", "arn", "secret_type", "secret_sub_type", "instance_id",
    "description", "create_time", "update_time", "planned_delete_time", "automatic_rotation",
    "rotation_interval", "last_rotation_date", "next_rotation_date", "encryption_key_id",
    "dkms_instance_id", "tags", "custom_data",
)


def kms_models():
    return import_sdk("alibabacloud_kms20160120.models", "alibabacloud-kms20160120")


def tags_to_dict(tags):
    """``{"Tag": [{"TagKey": k, "TagValue": v}]}`` (or the bare list) -> ``{k: v}``."""
    if isinstance(tags, dict):
        tags = tags.get("Tag")
    return {tag.get("TagKey"): tag.get("TagValue") for tag in tags or []}


def parse_extended_config(text):
    """ExtendedConfig arrives as a JSON string; a malformed one reads as empty, not as an error."""
    if not text:
        return {}
    if isinstance(text, dict):
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def normalize_secret(body, region):
    """A ``DescribeSecret`` body, or one ``ListSecrets`` entry, as the snake_case dict modules return.

    Fields that the source does not carry (``ListSecrets`` has no instance,
    sub type or rotation) are ``None``, never guessed.
    """
    extended = parse_extended_config(body.get("ExtendedConfig"))
    custom = extended.get("CustomData")
    return {
        "secret_name": body.get("SecretName"),
        "region_id": region,
        "arn": body.get("Arn"),
        "secret_type": body.get("SecretType"),
        "secret_sub_type": extended.get("SecretSubType"),
        "instance_id": extended.get("InstanceId"),
        "description": body.get("Description"),
        "create_time": body.get("CreateTime"),
        "update_time": body.get("UpdateTime"),
        "planned_delete_time": body.get("PlannedDeleteTime") or None,
        "automatic_rotation": body.get("AutomaticRotation"),
        "rotation_interval": body.get("RotationInterval"),
        "last_rotation_date": body.get("LastRotationDate"),
        "next_rotation_date": body.get("NextRotationDate"),
        "encryption_key_id": body.get("EncryptionKeyId"),
        "dkms_instance_id": body.get("DKMSInstanceId"),
        "tags": tags_to_dict(body.get("Tags")),
        "custom_data": custom if isinstance(custom, dict) else ({} if custom is None else {"value": custom}),
    }


def describe_secret(connection, region, name):
    """The normalised secret ``name`` in ``region``, or None when it does not exist."""
    request = kms_models().DescribeSecretRequest(secret_name=name, fetch_tags="true")
    body = call_or_none(connection, "kms", "DescribeSecret", request, region=region)
    return None if body is None else normalize_secret(body, region)


# --- listing the dynamic ECS secrets of many regions --------------------------

ECS_SECRET_TYPE = "ECS"
ECS_NAME_PREFIX = "acs/ecs/"
MAX_SECRET_NAME = 192
SECRET_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_/+=.@\-]+$")
SECRET_SUB_TYPES = ("Password", "SSHKey")

# ListSecrets returns at most 100 a page; fewer pages means fewer calls at 100 ms each.
PAGE_SIZE = 100
# ListSecrets takes at most 10 values for one filter key.
MAX_FILTER_VALUES = 10
# A tag-filtered ListSecrets answers at most 4,000 secrets (SDK model docs): at
# that count the listing may be cut short, so the region is listed again
# without the tag filter and the tags are compared on our side.
TAG_FILTER_CAP = 4000
# The SecretName filter is documented as equality ("SecretName=sec1"), so an
# exact name is pushed to the API but a prefix is not: pushed to a service that
# compares exactly, a prefix would match nothing and secrets would go unseen.
SECRET_NAME_FILTER_IS_PREFIX = False
# However many regions and however high max_concurrency, no more threads (and
# calls in flight) than this: a bound on memory and on file descriptors.
GLOBAL_MAX_CONCURRENCY = 64
# DescribeRegions is answered by any region; this one when no other is known.
DEFAULT_HOME_REGION = "cn-hangzhou"


class QueryError(ValueError):
    """A problem with what was asked, found before (or by) DescribeRegions."""


class SecretQuery:
    """Which ECS secrets to return: the filters of kms_ecs_secret_info, checked.

    ``api_filters`` is the part ListSecrets can do; ``matches_listed`` and
    ``matches_described`` are the rest, applied to what comes back. Every
    pushed filter selects a superset of the result, and every filter is also
    applied here, so pushing one never changes the answer, only its cost.
    """

    def __init__(self, names=None, name_prefix=None, instance_ids=None, secret_sub_type=None,
                 tags=None, include_planned_deletion=True, details=True):
        self.names = frozenset(names) if names else None
        self.name_prefix = name_prefix or None
        self.instance_ids = frozenset(instance_ids) if instance_ids else None
        self.secret_sub_type = secret_sub_type or None
        self.tags = {str(k): ("" if v is None else str(v)) for k, v in (tags or {}).items()}
        self.include_planned_deletion = include_planned_deletion
        self.details = details

    @property
    def needs_describe(self):
        # Instance and sub type live only in ExtendedConfig, which only DescribeSecret returns.
        return bool(self.details or self.instance_ids or self.secret_sub_type)

    def api_filters(self, with_tags=True):
        filters = [{"Key": "SecretType", "Values": [ECS_SECRET_TYPE]}]
        if self.names and len(self.names) <= MAX_FILTER_VALUES:
            filters.append({"Key": "SecretName", "Values": sorted(self.names)})
        elif self.name_prefix and SECRET_NAME_FILTER_IS_PREFIX:
            filters.append({"Key": "SecretName", "Values": [self.name_prefix]})
        if with_tags and self.tags:
            # Values of one key are ORed, so keys and values of several tags
            # would select "any of them"; one tag (key and value) is tighter.
            # An empty value is not sent: the service may refuse it.
            key = sorted(self.tags, key=lambda k: (self.tags[k] == "", k))[0]
            filters.append({"Key": "TagKey", "Values": [key]})
            if self.tags[key]:
                filters.append({"Key": "TagValue", "Values": [self.tags[key]]})
        return filters

    def matches_listed(self, entry):
        """What a ListSecrets entry (PascalCase) tells is enough to decide these."""
        name = entry.get("SecretName") or ""
        if entry.get("SecretType") not in (None, ECS_SECRET_TYPE):
            return False
        if self.names is not None and name not in self.names:
            return False
        if self.name_prefix and not name.startswith(self.name_prefix):
            return False
        if not self.include_planned_deletion and entry.get("PlannedDeleteTime"):
            return False
        if self.tags:
            have = tags_to_dict(entry.get("Tags"))
            if any(have.get(k) != v for k, v in self.tags.items()):
                return False
        return True

    def matches_described(self, secret):
        """The filters that need DescribeSecret, on a normalised secret."""
        if not self.matches_listed(_as_entry(secret)):
            return False  # the secret may have changed between the two calls
        if self.instance_ids is not None and secret.get("instance_id") not in self.instance_ids:
            return False
        if self.secret_sub_type and secret.get("secret_sub_type") != self.secret_sub_type:
            return False
        return True


def _as_entry(secret):
    return {
        "SecretName": secret.get("secret_name"),
        "SecretType": secret.get("secret_type"),
        "PlannedDeleteTime": secret.get("planned_delete_time"),
        "Tags": {"Tag": [{"TagKey": k, "TagValue": v} for k, v in (secret.get("tags") or {}).items()]},
    }


def validate_secret_name(name, what="names"):
    if not isinstance(name, str) or not name:
        return "%s: a secret name must be a non-empty string, got %r" % (what, name)
    if len(name) > MAX_SECRET_NAME:
        return "%s: %r is longer than %d characters" % (what, name, MAX_SECRET_NAME)
    if not SECRET_NAME_PATTERN.match(name):
        return "%s: %r has characters a secret name cannot have (letters, digits and _/+=.@- only)" % (what, name)
    return None


def validate_query_params(params):
    """The first problem with the options of kms_ecs_secret_info, or None. Makes no call."""
    regions = params.get("regions")
    if regions is not None:
        if not regions:
            return "regions: give at least one region ID, or all"
        if "all" in regions and len(regions) > 1:
            return "regions: all stands alone; it cannot be mixed with region IDs (%s)" % ", ".join(r for r in regions if r != "all")
        bad = [r for r in regions if r != "all" and not REGION_PATTERN.match(r or "")]
        if bad:
            return "regions: %s %s not a region ID (for example cn-hangzhou), nor all" % (
                ", ".join(repr(r) for r in bad), "is" if len(bad) == 1 else "are")
    max_concurrency = params.get("max_concurrency")
    if max_concurrency is not None and max_concurrency < 1:
        return "max_concurrency: must be at least 1, got %d" % max_concurrency
    sub_type = params.get("secret_sub_type")
    if sub_type is not None and sub_type not in SECRET_SUB_TYPES:
        return "secret_sub_type: must be one of %s, got %r" % (", ".join(SECRET_SUB_TYPES), sub_type)
    for name in params.get("names") or []:
        problem = validate_secret_name(name)
        if problem:
            return problem
        if not name.startswith(ECS_NAME_PREFIX):
            return "names: %r is not an ECS secret name; those start with %s" % (name, ECS_NAME_PREFIX)
    if params.get("names") is not None and not params["names"]:
        return "names: give at least one name, or leave the option out"
    prefix = params.get("name_prefix")
    if prefix is not None:
        problem = validate_secret_name(prefix, "name_prefix")
        if problem:
            return problem
        if not (prefix.startswith(ECS_NAME_PREFIX) or ECS_NAME_PREFIX.startswith(prefix)):
            return "name_prefix: %r can match no ECS secret; their names start with %s" % (prefix, ECS_NAME_PREFIX)
    for instance_id in params.get("instance_ids") or []:
        if not isinstance(instance_id, str) or not instance_id.strip():
            return "instance_ids: an instance ID must be a non-empty string, got %r" % (instance_id,)
    for key in (params.get("tags") or {}):
        if not str(key):
            return "tags: a tag key must not be empty"
    return None


def describe_regions(connection, region):
    """The region IDs where KMS runs, sorted, as KMS DescribeRegions answers them in ``region``."""
    body = connection.call("kms", "DescribeRegions", None, region=region)
    regions = (body.get("Regions") or {}).get("Region") or []
    return sorted({item.get("RegionId") for item in regions if item.get("RegionId")})


def resolve_regions(connection, requested, home_region):
    """``requested`` (a list of IDs, ``["all"]`` or None) as the list of regions to read.

    Region IDs are checked against DescribeRegions: a region KMS does not run
    in would fail with an unhelpful endpoint error, or worse, read as empty.
    """
    if not requested:
        if not home_region:
            raise QueryError("regions: is required when no region is set (region, ALIBABA_CLOUD_REGION_ID or ALICLOUD_REGION)")
        requested = [home_region]
    ask = home_region or (requested[0] if requested[0] != "all" else DEFAULT_HOME_REGION)
    known = describe_regions(connection, ask)
    if requested == ["all"]:
        if not known:
            raise QueryError("regions: all: KMS DescribeRegions in %s returned no region" % ask)
        return known
    unknown = sorted(set(requested) - set(known))
    if unknown:
        raise QueryError("regions: KMS does not run in %s (DescribeRegions in %s knows %d regions: %s)" % (
            ", ".join(unknown), ask, len(known), ", ".join(known)))
    return sorted(set(requested))


class RegionPool:
    """Runs calls on a bounded pool of threads, fairly across regions.

    At most ``per_region`` calls of one region are in flight at once (KMS
    limits request rates per region), and at most ``total`` overall. The
    bound is kept by the dispatcher, which submits a region's next call only
    when one of its calls has finished; so no worker ever blocks on a
    semaphore holding a thread that another region could use, and a region
    with a thousand queued calls cannot starve the others.

    Completion callbacks run on the calling thread (the one in ``run``), so
    the state they change needs no lock.
    """

    def __init__(self, per_region, total=GLOBAL_MAX_CONCURRENCY, executor_factory=None):
        if per_region < 1 or total < 1:
            raise ValueError("per_region and total must be at least 1")
        self.per_region = per_region
        self.total = total
        self._executor_factory = executor_factory or (lambda n: ThreadPoolExecutor(max_workers=n, thread_name_prefix="alicloud-kms"))
        self._queues = {}          # region -> deque of (fn, args, on_result, on_error)
        self._order = deque()      # regions in round-robin order
        self._in_flight = {}       # region -> number of calls running
        self._running = {}         # future -> (region, on_result, on_error)
        self._dropped = set()      # regions that failed: nothing more is sent or reported

    def submit(self, region, fn, args=(), on_result=None, on_error=None):
        """Queue ``fn(*args)`` for ``region``; ``on_result(value)`` or ``on_error(exc)`` follows."""
        if region not in self._queues:
            self._queues[region] = deque()
            self._order.append(region)
            self._in_flight.setdefault(region, 0)
        self._queues[region].append((fn, args, on_result, on_error))

    def drop(self, region):
        """Forget the queued calls of ``region`` (those in flight finish, unreported)."""
        queue = self._queues.get(region)
        if queue:
            queue.clear()
        self._dropped.add(region)

    def run(self, expected_regions=1):
        workers = max(1, min(self.total, self.per_region * max(1, expected_regions)))
        with self._executor_factory(workers) as executor:
            self._dispatch(executor)
            while self._running:
                done, _pending = wait(list(self._running), return_when=FIRST_COMPLETED)
                for future in done:
                    region, on_result, on_error = self._running.pop(future)
                    self._in_flight[region] -= 1
                    if region in self._dropped:
                        continue
                    error = future.exception()
                    if error is not None:
                        if on_error is None:
                            raise error
                        on_error(error)
                    elif on_result is not None:
                        on_result(future.result())
                self._dispatch(executor)

    def _dispatch(self, executor):
        # Round-robin: one call per region per turn, until the bounds are reached.
        progress = True
        while progress and len(self._running) < self.total:
            progress = False
            for _turn in range(len(self._order)):
                region = self._order[0]
                self._order.rotate(-1)
                queue = self._queues[region]
                if queue and region not in self._dropped and self._in_flight[region] < self.per_region:
                    fn, args, on_result, on_error = queue.popleft()
                    future = executor.submit(fn, *args)
                    self._running[future] = (region, on_result, on_error)
                    self._in_flight[region] += 1
                    progress = True
                    if len(self._running) >= self.total:
                        return


class RegionScan:
    """The listing (and describing) of one region's ECS secrets."""

    def __init__(self, connection, region, query, pool):
        self.connection = connection
        self.region = region
        self.query = query
        self.pool = pool
        self.secrets = {}
        self.error = None
        self.list_calls = 0
        self._push_tags = True
        self._pages_scheduled = 0
        self._seen = set()

    def start(self):
        self._schedule_pages(1, 1)

    def _schedule_pages(self, first, last):
        for number in range(first, last + 1):
            self.pool.submit(self.region, self._list_page, (number, self._push_tags),
                             on_result=self._on_page, on_error=self._fail)
        self._pages_scheduled = max(self._pages_scheduled, last)

    def _list_page(self, number, push_tags):
        request = kms_models().ListSecretsRequest(
            fetch_tags="true", page_number=number, page_size=PAGE_SIZE,
            filters=json.dumps(self.query.api_filters(with_tags=push_tags), separators=(",", ":")))
        body = self.connection.call("kms", "ListSecrets", request, region=self.region)
        return number, push_tags, body

    def _on_page(self, outcome):
        number, push_tags, body = outcome
        self.list_calls += 1
        if push_tags != self._push_tags:
            return  # a page of a listing given up for an untagged one
        total = _int(body.get("TotalCount"))
        if number == 1 and push_tags and self.query.tags and total >= TAG_FILTER_CAP:
            self._push_tags = False
            self._pages_scheduled = 0
            self._schedule_pages(1, 1)
            return
        # Every page is followed until TotalCount; pages are only known after
        # the first answer, and a count that grew meanwhile adds pages.
        pages = max(1, -(-total // PAGE_SIZE))
        if pages > self._pages_scheduled:
            self._schedule_pages(self._pages_scheduled + 1, pages)
        for entry in ((body.get("SecretList") or {}).get("Secret") or []):
            name = entry.get("SecretName")
            if not name or name in self._seen or not self.query.matches_listed(entry):
                continue
            self._seen.add(name)
            if self.query.needs_describe:
                self.pool.submit(self.region, describe_secret, (self.connection, self.region, name),
                                 on_result=self._on_described, on_error=self._fail)
            else:
                self.secrets[name] = normalize_secret(entry, self.region)

    def _on_described(self, secret):
        # None: deleted between ListSecrets and DescribeSecret, so no longer there.
        if secret is not None and self.query.matches_described(secret):
            self.secrets[secret["secret_name"]] = secret

    def _fail(self, error):
        if not isinstance(error, AlicloudError):
            # Not an answer of the cloud (connection.call translates all of
            # those) but a missing SDK or a bug: not this region's fault.
            raise error
        if self.error is None:
            self.error = error
            self.secrets = {}
            self.pool.drop(self.region)


def _int(value):
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


class ScanResult:
    def __init__(self, scans):
        self.regions = sorted(s.region for s in scans if s.error is None)
        self.failed = {s.region: s.error for s in scans if s.error is not None}
        self.secrets = sorted((secret for s in scans if s.error is None for secret in s.secrets.values()),
                              key=lambda item: (item["region_id"], item["secret_name"]))
        self.count_by_region = {s.region: len(s.secrets) for s in scans if s.error is None}
        self.list_calls = sum(s.list_calls for s in scans)


def scan_regions(connection, regions, query, max_concurrency=8, global_concurrency=GLOBAL_MAX_CONCURRENCY,
                 executor_factory=None):
    """List (and describe) the ECS secrets of every region, concurrently.

    A region that cannot be read ends up in ``ScanResult.failed`` with its
    error, never as a region without secrets; the other regions are still read.
    """
    pool = RegionPool(max_concurrency, global_concurrency, executor_factory)
    scans = [RegionScan(connection, region, query, pool) for region in regions]
    for scan in scans:
        scan.start()
    pool.run(expected_regions=len(scans))
    return ScanResult(scans)


def describe_failures(failed):
    """``{region: AlicloudError}`` as (message, failed_regions list)."""
    items = []
    for region in sorted(failed):
        error = failed[region]
        entry = {"region_id": region, "msg": error.describe()}
        entry.update(error.to_result())
        items.append(entry)
    text = "; ".join("%s: %s" % (item["region_id"], item["msg"]) for item in items)
    return text, items
