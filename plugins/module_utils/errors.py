# Copyright: (c) 2026, alicloud.kms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an Alibaba Cloud error means, decided in one place.

Every SDK exception becomes an ``AlicloudError`` here, and every question a
caller asks of an error (is the thing missing? should we slow down? may we try
again?) is answered by the code tables below, never by string matching at the
call site.
"""

from __future__ import annotations

MISSING_CODES = frozenset((
    "EntityNotExist.Role",
    "EntityNotExist.Policy",
    "Forbidden.ResourceNotFound",
))

ALREADY_EXISTS_CODES = frozenset((
    "EntityAlreadyExists.Role",
    "Rejected.ResourceExist",
))

THROTTLING_CODES = frozenset((
    "Throttling",
    "Throttling.User",
    "Throttling.Api",
    "Throttling.Resource",
    "Rejected.Throttling",
    "ServiceUnavailable.Throttling",
))

# Answers that say "the service could not do it now" rather than "no".
TRANSIENT_CODES = frozenset((
    "ServiceUnavailable",
    "ServiceUnavailableTemporary",
    "InternalError",
    "InternalFailure",
    "UnknownError",
    "NetworkError",
))

PERMISSION_CODES = frozenset((
    "Forbidden.RAM",
    "NoPermission",
    "Forbidden.NoPermission",
    "Forbidden",
))

CREDENTIAL_CODES = frozenset((
    "InvalidAccessKeyId.NotFound",
    "InvalidAccessKeyId.Inactive",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "InvalidSecurityToken.Expired",
    "InvalidSecurityToken.Malformed",
    "InvalidSecurityToken.MismatchWithAccessKey",
    "CredentialError",
))

_HINTS = {
    "SignatureDoesNotMatch": "the secret key does not belong to this access key",
    "InvalidAccessKeyId.NotFound": "the access key is unknown to Alibaba Cloud",
    "InvalidSecurityToken.Expired": "the security token has expired; get a new one",
    "InvalidSecurityToken.MismatchWithAccessKey": "the security token does not belong to this access key",
}


class AlicloudError(Exception):
    """A failed Alibaba Cloud call, described without any credential."""

    def __init__(self, code, message, action=None, request_id=None, region=None, status=None, product=None):
        self.code = code or "UnknownError"
        self.message = message or ""
        self.action = action
        self.request_id = request_id
        self.region = region
        self.status = status
        self.product = product
        super().__init__(self.describe())

    @property
    def is_missing(self):
        return self.code in MISSING_CODES

    @property
    def is_already_exists(self):
        return self.code in ALREADY_EXISTS_CODES

    @property
    def is_throttled(self):
        return self.code in THROTTLING_CODES or self.status == 429

    @property
    def is_permission(self):
        return self.code in PERMISSION_CODES or self.status == 403

    @property
    def is_retryable(self):
        if self.is_throttled or self.code in TRANSIENT_CODES:
            return True
        return self.status is not None and self.status >= 500

    def describe(self):
        where = self.action or "the call"
        if self.region:
            where = "%s in %s" % (where, self.region)
        text = "%s failed: %s: %s" % (where, self.code, self.message.rstrip())
        hint = _HINTS.get(self.code)
        if hint:
            text += " (%s)" % hint
        if self.request_id:
            text += " (RequestId: %s)" % self.request_id
        return text

    def to_result(self):
        """The fields a failed task returns beside ``msg``."""
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "request_id": self.request_id,
                "action": self.action,
                "region": self.region,
                "http_status": self.status,
            }
        }


def _first_line(text):
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


_NETWORK_ERRORS = ("RetryError", "ConnectionError", "Timeout", "ReadTimeout", "ConnectTimeout")


def from_exception(exc, action=None, region=None, product=None):
    """Translate whatever the SDK raised into an ``AlicloudError``.

    The SDK's own messages repeat the request ID and sometimes the raw
    response; only the service's message is kept. Credential values never
    reach an exception here: the SDK does not put them in its messages and
    nothing below adds them.
    """
    if isinstance(exc, AlicloudError):
        return exc
    # darabonba wraps a failed connection (refused, reset, dropped by a proxy) in its
    # UnretryableException, meaning only that the SDK itself will not retry: it is a network error.
    inner = getattr(exc, "inner_exception", None)
    if isinstance(inner, (IOError, OSError)) or type(inner).__name__ in _NETWORK_ERRORS:
        exc = inner
    code = getattr(exc, "code", None)
    if code and hasattr(exc, "status_code"):
        data = getattr(exc, "data", None) or {}
        request_id = getattr(exc, "request_id", None) or data.get("RequestId")
        message = data.get("Message") or getattr(exc, "message", None) or str(exc)
        status = getattr(exc, "status_code", None)
        return AlicloudError(code, _strip_sdk_prefix(message), action, request_id, region, status, product)
    name = type(exc).__name__
    if name in ("CredentialException",) or "credential" in name.lower():
        return AlicloudError("CredentialError", _first_line(str(exc)), action, None, region, None, product)
    if isinstance(exc, (IOError, OSError)) or name in _NETWORK_ERRORS:
        return AlicloudError("NetworkError", "%s: %s" % (name, _first_line(str(exc))), action, None, region, None, product)
    return AlicloudError(code or name, _first_line(str(exc)), action, None, region, None, product)


def _strip_sdk_prefix(message):
    # The SDK renders "code: X, message, request id: Y Response: {...}"; keep the service's words.
    text = _first_line(message)
    for marker in (" request id:", " Response:"):
        cut = text.find(marker)
        if cut > 0:
            text = text[:cut].rstrip(", ")
    return text
