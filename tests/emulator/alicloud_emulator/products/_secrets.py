"""KMS secrets: state and rules, no HTTP.

Kept per account and region under the account's ``kms`` part::

    {"regions": {region: {"secrets": {name: secret}, "names": [sorted names],
                          "pending": {name: planned delete epoch}}}}

``names`` stays sorted (bisect on insert/remove) so that a page of
ListSecrets is a slice, not a sort of every secret.
"""

from __future__ import annotations

import bisect
import json
import re
import uuid
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from ..api import ApiError, invalid_parameter, missing_parameter
from ..regions import REGIONS
from . import _wire

PART = "kms"
SECRET_TYPES = ("Generic", "Rds", "RDS", "Redis", "RAMCredentials", "ECS", "PolarDB")
MANAGED_TYPES = ("Rds", "RDS", "Redis", "RAMCredentials", "ECS", "PolarDB")
ECS_PREFIX = "acs/ecs/"
MAX_NAME = 192
MAX_EXTENDED_CONFIG = 1024
MAX_CUSTOM_DATA = 10
MAX_TAGS = 20
MAX_FILTERS = 10
MAX_FILTER_VALUES = 10
MIN_ROTATION = 6 * 3600
MAX_ROTATION = 8760 * 3600
ECS_STAGES = ("ACSCurrent", "ACSPrevious")
FILTER_KEYS = ("SecretName", "Description", "TagKey", "TagValue", "DKMSInstanceId", "SecretType", "Creator")

# How a filter value matches (unsure for names and descriptions: Alibaba's
# reference only shows "(SecretName=sec1 OR SecretName=sec2)"; the console
# searches names by prefix). Prefix keeps an exact-name filter working while
# letting "acs/ecs/" select every ECS-style name; callers that need an exact
# match compare the names they get back.
FILTER_MATCH: Dict[str, str] = {"SecretName": "prefix", "Description": "contains"}

# Deleting (without force) a secret already scheduled for deletion, and any
# use of its value meanwhile: the real code is not documented here (unsure).
PENDING_DELETION_CODE = "Forbidden.SecretPendingDeletion"

_NAME_RE = re.compile(r"^[A-Za-z0-9_/+=.@\-]+$")
_INTERVAL_RE = re.compile(r"^(\d+)([dhms])$")
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


# --- storage --------------------------------------------------------------

def region_store(data: Dict[str, Any], account_id: str, region: str) -> Dict[str, Any]:
    regions = _wire.account_part(data, account_id, PART).setdefault("regions", {})
    store = regions.get(region)
    if store is None:
        store = regions[region] = {"secrets": {}, "names": [], "pending": {}, "token": uuid.uuid4().hex, "rev": 0}
    return store


def peek_region_store(data: Dict[str, Any], account_id: str, region: str) -> Dict[str, Any]:
    regions = _wire.peek_account_part(data, account_id, PART).get("regions", {})
    return regions.get(region) or {"secrets": {}, "names": [], "pending": {}}


def insert(store: Dict[str, Any], secret: Dict[str, Any]) -> None:
    name = secret["SecretName"]
    store["secrets"][name] = secret
    bisect.insort(store["names"], name)
    touch(store)


def touch(store: Dict[str, Any]) -> None:
    """Record that the set of secrets changed (invalidates cached filter results)."""
    store["rev"] = store.get("rev", 0) + 1


def remove(store: Dict[str, Any], name: str) -> None:
    store["secrets"].pop(name, None)
    store["pending"].pop(name, None)
    names = store["names"]
    i = bisect.bisect_left(names, name)
    if i < len(names) and names[i] == name:
        del names[i]
    touch(store)


def purge_due(store: Dict[str, Any]) -> bool:
    pending = store.get("pending") or {}
    if not pending:
        return False
    now = _wire.now()
    return any(at <= now for at in pending.values())


def purge(store: Dict[str, Any]) -> None:
    """Remove secrets whose recovery window has ended (under the write lock)."""
    now = _wire.now()
    for name in [n for n, at in store.get("pending", {}).items() if at <= now]:
        remove(store, name)


def lookup(store: Dict[str, Any], name: str) -> Dict[str, Any]:
    secret = store["secrets"].get(name)
    if secret is None:
        raise _wire.not_found("Forbidden.ResourceNotFound", "The resource does not exist.")
    return secret


def ensure_not_pending(secret: Dict[str, Any]) -> None:
    if secret.get("PlannedDeleteTime") is not None:
        raise ApiError(PENDING_DELETION_CODE,
                       f"The secret {secret['SecretName']} is scheduled for deletion; restore it first.", 400)


def arns_by_region(data: Dict[str, Any], account_id: str, secret_type: str) -> List[Tuple[str, List[str]]]:
    """``[(region, [ARN of each secret of the type])]`` across every region, scheduled ones included."""
    regions = _wire.peek_account_part(data, account_id, PART).get("regions", {})
    order = {r: i for i, r in enumerate(REGIONS)}
    found = []
    for region in sorted(regions, key=lambda r: (order.get(r, len(order)), r)):
        store = regions[region]
        purge(store)
        arns = [s["Arn"] for s in (store["secrets"][n] for n in store["names"]) if s["SecretType"] == secret_type]
        if arns:
            found.append((region, arns))
    return found


def secret_arn(region: str, account_id: str, name: str) -> str:
    return f"acs:kms:{region}:{account_id}:secret/{name}"


# --- validation -----------------------------------------------------------

def normalise_type(secret_type: Optional[str]) -> str:
    value = secret_type or "Generic"
    if value not in SECRET_TYPES:
        raise invalid_parameter("SecretType", f"It must be one of {', '.join(SECRET_TYPES)}.")
    return value


def check_name(name: str, secret_type: str) -> None:
    if len(name) > MAX_NAME or not _NAME_RE.match(name):
        raise invalid_parameter("SecretName", f"It must be 1 to {MAX_NAME} characters of letters, digits and _/+=.@-.")
    if secret_type == "ECS" and not name.startswith(ECS_PREFIX):
        raise invalid_parameter("SecretName", f"The name of an ECS secret must start with {ECS_PREFIX}.")
    if secret_type != "ECS" and name.startswith(ECS_PREFIX):
        raise invalid_parameter("SecretName", f"The prefix {ECS_PREFIX} is reserved for ECS secrets.")


def parse_interval(text: Optional[str]) -> Optional[int]:
    """``<n>[d|h|m|s]`` -> seconds, within 6 hours and 8760 hours."""
    if text is None or text == "":
        return None
    match = _INTERVAL_RE.match(text.strip())
    if not match:
        raise invalid_parameter("RotationInterval", "It must be an integer followed by d, h, m or s, e.g. 7d.")
    seconds = int(match.group(1)) * _UNITS[match.group(2)]
    if not MIN_ROTATION <= seconds <= MAX_ROTATION:
        raise invalid_parameter("RotationInterval", "It must be between 6h and 8760h.")
    return seconds


def parse_tags(raw: Any, name: str = "Tags") -> List[Dict[str, str]]:
    """``[{"TagKey": k, "TagValue": v}]`` (``Key``/``Value`` accepted too)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise invalid_parameter(name, "It must be a JSON array of {TagKey, TagValue}.")
    tags = []
    for item in raw:
        if not isinstance(item, dict):
            raise invalid_parameter(name, "It must be a JSON array of {TagKey, TagValue}.")
        key = item.get("TagKey", item.get("Key"))
        value = item.get("TagValue", item.get("Value", ""))
        if not isinstance(key, str) or not key or len(key) > 128 or not isinstance(value, str) or len(value) > 128:
            raise invalid_parameter(name, "A tag key is 1 to 128 characters and a value at most 128.")
        if key.lower().startswith("aliyun") or key.lower().startswith("acs:"):
            raise invalid_parameter(name, "A tag key cannot start with aliyun or acs:.")
        tags.append({"TagKey": key, "TagValue": value})
    return tags


def merge_tags(current: List[Dict[str, str]], new: List[Dict[str, str]]) -> List[Dict[str, str]]:
    merged = {t["TagKey"]: t["TagValue"] for t in current}
    merged.update({t["TagKey"]: t["TagValue"] for t in new})
    if len(merged) > MAX_TAGS:
        raise invalid_parameter("Tags", f"A secret can have at most {MAX_TAGS} tags.")
    return [{"TagKey": k, "TagValue": v} for k, v in merged.items()]


def parse_ecs_config(raw_text: Optional[str], region: str,
                     instance_exists: Callable[[str, str], bool]) -> Dict[str, Any]:
    """Check an ECS secret's ExtendedConfig and return it as a dict."""
    if raw_text is None or raw_text == "":
        raise missing_parameter("ExtendedConfig")
    if len(raw_text) > MAX_EXTENDED_CONFIG:
        raise invalid_parameter("ExtendedConfig", f"It must be at most {MAX_EXTENDED_CONFIG} characters.")
    try:
        config = json.loads(raw_text)
    except ValueError:
        raise invalid_parameter("ExtendedConfig", "It is not valid JSON.") from None
    if not isinstance(config, dict):
        raise invalid_parameter("ExtendedConfig", "It must be a JSON object.")
    for key in ("SecretSubType", "RegionId", "InstanceId"):
        if not isinstance(config.get(key), str) or not config.get(key):
            raise invalid_parameter("ExtendedConfig", f"{key} is required.")
    if config["SecretSubType"] not in ("Password", "SSHKey"):
        raise invalid_parameter("ExtendedConfig", "SecretSubType must be Password or SSHKey.")
    if config["RegionId"] != region:
        raise invalid_parameter("ExtendedConfig", f"RegionId must be the region of the endpoint, {region}.")
    custom = config.get("CustomData", {})
    if not isinstance(custom, dict) or len(custom) > MAX_CUSTOM_DATA:
        raise invalid_parameter("ExtendedConfig", f"CustomData must be an object of at most {MAX_CUSTOM_DATA} pairs.")
    if not instance_exists(region, config["InstanceId"]):
        raise invalid_parameter("ExtendedConfig", f"The instance {config['InstanceId']} does not exist in {region}.")
    return config


def check_ecs_data(text: str, sub_type: str) -> None:
    """SecretData of an ECS secret: the exact keys its sub type needs (value never echoed)."""
    try:
        value = json.loads(text)
    except ValueError:
        raise invalid_parameter("SecretData", "An ECS secret's data must be JSON.") from None
    wanted = {"UserName", "Password"} if sub_type == "Password" else {"UserName", "PublicKey", "PrivateKey"}
    if not isinstance(value, dict) or set(value) != wanted or not all(isinstance(v, str) and v for v in value.values()):
        raise invalid_parameter("SecretData", f"A {sub_type} ECS secret needs exactly {', '.join(sorted(wanted))}.")


# --- records --------------------------------------------------------------

def new_secret(region: str, account_id: str, name: str, secret_type: str, now: float, **fields: Any) -> Dict[str, Any]:
    secret = {
        "SecretName": name,
        "SecretType": secret_type,
        "Arn": secret_arn(region, account_id, name),
        "Description": "",
        "DKMSInstanceId": None,
        "EncryptionKeyId": None,
        "ExtendedConfig": None,
        "AutomaticRotation": False,
        "RotationInterval": None,
        "LastRotationDate": None,
        "PlannedDeleteTime": None,
        "CreateTime": now,
        "UpdateTime": now,
        "Creator": account_id,
        "Tags": [],
        "Versions": {},
    }
    secret.update(fields)
    return secret


def add_version(secret: Dict[str, Any], version_id: str, value: str, data_type: str,
                stages: Iterable[str], now: float) -> None:
    """Add a version and move the given stages onto it; ACSCurrent's old holder becomes ACSPrevious."""
    if version_id in secret["Versions"]:
        raise ApiError("Rejected.ResourceExist", f"The version {version_id} already exists.", 409)
    stages = list(stages)
    if "ACSCurrent" in stages:
        old = [v for v in secret["Versions"].values() if "ACSCurrent" in v["Stages"]]
        for version in secret["Versions"].values():
            if "ACSPrevious" in version["Stages"]:
                version["Stages"].remove("ACSPrevious")
        for version in old:
            version["Stages"].remove("ACSCurrent")
            version["Stages"].append("ACSPrevious")
    for version in secret["Versions"].values():
        for stage in stages:
            if stage in version["Stages"]:
                version["Stages"].remove(stage)
    secret["Versions"][version_id] = {"VersionId": version_id, "SecretData": value, "SecretDataType": data_type,
                                      "CreateTime": now, "Stages": stages}
    secret["UpdateTime"] = now


def version_for(secret: Dict[str, Any], version_id: Optional[str], stage: Optional[str]) -> Dict[str, Any]:
    if version_id:
        version = secret["Versions"].get(version_id)
        if version is None or (stage and stage not in version["Stages"]):
            raise _wire.not_found("Forbidden.ResourceNotFound", "The secret version does not exist.")
        return version
    wanted = stage or "ACSCurrent"
    for version in secret["Versions"].values():
        if wanted in version["Stages"]:
            return version
    raise _wire.not_found("Forbidden.ResourceNotFound", f"No version of the secret has the stage {wanted}.")


def next_rotation(secret: Dict[str, Any]) -> Optional[float]:
    if not secret["AutomaticRotation"] or not secret["RotationInterval"]:
        return None
    base = secret["LastRotationDate"] or secret["CreateTime"]
    return base + secret["RotationInterval"]


# --- listing --------------------------------------------------------------

def parse_filters(raw: Any) -> List[Tuple[str, List[str]]]:
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_FILTERS:
        raise invalid_parameter("Filters", f"It must be a JSON array of at most {MAX_FILTERS} items.")
    parsed = []
    for item in raw:
        if not isinstance(item, dict) or item.get("Key") not in FILTER_KEYS:
            raise invalid_parameter("Filters", f"Each item needs a Key among {', '.join(FILTER_KEYS)}.")
        values = item.get("Values")
        if (not isinstance(values, list) or not values or len(values) > MAX_FILTER_VALUES
                or not all(isinstance(v, str) for v in values)):
            raise invalid_parameter("Filters", f"Values must be 1 to {MAX_FILTER_VALUES} strings.")
        parsed.append((item["Key"], values))
    return parsed


def _predicate(key: str, values: List[str]) -> Callable[[Dict[str, Any]], bool]:
    """One filter item as a fast test (values of one key are ORed)."""
    how = FILTER_MATCH.get(key, "exact")
    if key in ("TagKey", "TagValue"):
        wanted = set(values)
        return lambda s: any(t[key] in wanted for t in s["Tags"])
    if how == "prefix":
        prefixes = tuple(values)
        return lambda s: (s.get(key) or "").startswith(prefixes)
    if how == "contains":
        return lambda s: any(v in (s.get(key) or "") for v in values)
    if key == "SecretType":  # Rds / RDS: the reference spells it both ways
        lowered = {v.lower() for v in values}
        return lambda s: s["SecretType"].lower() in lowered
    wanted = set(values)
    return lambda s: s.get(key) in wanted


def matches(secret: Dict[str, Any], filters: List[Tuple[str, List[str]]]) -> bool:
    """Keys ANDed, values of one key ORed."""
    return all(_predicate(key, values)(secret) for key, values in filters)


def page(store: Dict[str, Any], filters: List[Tuple[str, List[str]]],
         page_number: int, page_size: int) -> Tuple[int, List[Dict[str, Any]]]:
    """(TotalCount, the secrets of the page), ordered by name."""
    start = (page_number - 1) * page_size
    names, secrets = store["names"], store["secrets"]
    if not filters:
        return len(names), [secrets[n] for n in names[start:start + page_size]]
    # Fast path for a pure name-prefix filter: a bisect range of the sorted names.
    if len(filters) == 1 and filters[0][0] == "SecretName" and FILTER_MATCH["SecretName"] == "prefix":
        chosen: List[str] = []
        for prefix in sorted(set(filters[0][1])):
            lo = bisect.bisect_left(names, prefix)
            hi = bisect.bisect_left(names, prefix + "\U0010ffff")
            chosen.extend(names[lo:hi])
        chosen = sorted(set(chosen))
        return len(chosen), [secrets[n] for n in chosen[start:start + page_size]]
    hits = _cached_hits(store, filters)
    return len(hits), [secrets[n] for n in hits[start:start + page_size]]


# Filters on fields that never change after creation can be answered from a
# cache keyed by the store's token and revision (bumped on every insert and
# removal), so paging through a filtered list scans the secrets once.
_IMMUTABLE_KEYS = {"SecretName", "SecretType", "DKMSInstanceId", "Creator"}
_CACHE: Dict[Tuple[str, int, str], List[str]] = {}
_CACHE_SIZE = 64


def _cached_hits(store: Dict[str, Any], filters: List[Tuple[str, List[str]]]) -> List[str]:
    cacheable = "token" in store and all(key in _IMMUTABLE_KEYS for key, _values in filters)
    key = (store.get("token", ""), store.get("rev", 0), json.dumps(filters))
    if cacheable and key in _CACHE:
        return _CACHE[key]
    names, secrets = store["names"], store["secrets"]
    tests = [_predicate(k, values) for k, values in filters]
    if len(tests) == 1:
        test = tests[0]
        hits = [n for n in names if test(secrets[n])]
    else:
        hits = [n for n in names if all(t(secrets[n]) for t in tests)]
    if cacheable:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = hits
    return hits
