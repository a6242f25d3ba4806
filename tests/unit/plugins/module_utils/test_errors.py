import pytest

from ansible_collections.alicloud.kms.plugins.module_utils.errors import AlicloudError, from_exception


class FakeSdkError(Exception):
    """Shaped like alibabacloud_tea_openapi's ClientException / ServerException."""

    def __init__(self, status_code, code, message, request_id):
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = "code: %d, %s request id: %s" % (status_code, message, request_id)
        self.request_id = request_id
        self.data = {"Code": code, "Message": message, "RequestId": request_id}


class RetryError(Exception):
    """darabonba raises this for IO errors."""


@pytest.mark.parametrize("code,status,missing,throttled,retryable,permission", [
    ("EntityNotExist.Role", 404, True, False, False, False),
    ("Forbidden.ResourceNotFound", 404, True, False, False, False),
    ("EntityNotExist.ServiceLinkedRole", 404, False, False, False, False),
    ("Throttling.User", 400, False, True, True, False),
    ("Rejected.Throttling", 400, False, True, True, False),
    ("ServiceUnavailable", 503, False, False, True, False),
    ("SomethingNew", 502, False, False, True, False),
    ("InternalError", 500, False, False, True, False),
    ("Forbidden.RAM", 403, False, False, False, True),
    ("SignatureDoesNotMatch", 400, False, False, False, False),
    ("InvalidParameter", 400, False, False, False, False),
])
def test_code_tables(code, status, missing, throttled, retryable, permission):
    error = from_exception(FakeSdkError(status, code, "words", "req-1"), action="GetRole")
    assert (error.is_missing, error.is_throttled, error.is_retryable, error.is_permission) == (
        missing, throttled, retryable, permission)


def test_http_429_is_throttling_whatever_the_code():
    assert from_exception(FakeSdkError(429, "TooMany", "slow", "r")).is_throttled


def test_translation_keeps_code_message_request_id_and_action():
    error = from_exception(FakeSdkError(403, "Forbidden.RAM", "User not authorized", "4F3A"),
                           action="DeleteServiceLinkedRole", product="ram")
    assert error.code == "Forbidden.RAM"
    assert error.message == "User not authorized"
    assert error.request_id == "4F3A"
    assert error.action == "DeleteServiceLinkedRole"
    text = error.describe()
    assert "DeleteServiceLinkedRole failed: Forbidden.RAM: User not authorized" in text
    assert "RequestId: 4F3A" in text
    result = error.to_result()["error"]
    assert result == {"code": "Forbidden.RAM", "message": "User not authorized", "request_id": "4F3A",
                      "action": "DeleteServiceLinkedRole", "region": None, "http_status": 403}


def test_region_is_named():
    error = from_exception(FakeSdkError(503, "ServiceUnavailable", "down", "r"), action="ListSecrets", region="eu-west-1")
    assert error.describe().startswith("ListSecrets in eu-west-1 failed: ServiceUnavailable")


def test_signature_mismatch_explains_without_the_secret():
    secret = "s3cr3t-value-that-must-not-show"
    sdk_message = "The request signature does not conform to Alibaba Cloud standards."
    error = from_exception(FakeSdkError(400, "SignatureDoesNotMatch", sdk_message, "r"), action="GetRole")
    assert "secret key does not belong" in error.describe()
    assert secret not in error.describe()


def test_network_errors_are_retryable_and_named():
    error = from_exception(RetryError("Connection refused\nlong trace"), action="ListSecrets", region="cn-hangzhou")
    assert error.code == "NetworkError"
    assert error.is_retryable
    assert "Connection refused" in error.message and "long trace" not in error.message


def test_credential_errors_are_not_retried():
    class CredentialException(Exception):
        pass

    error = from_exception(CredentialException("unable to open credentials file: /x"))
    assert error.code == "CredentialError" and not error.is_retryable


def test_already_translated_errors_pass_through():
    original = AlicloudError("X", "y")
    assert from_exception(original) is original


def test_dropped_connections_wrapped_by_the_sdk_are_retryable():
    class UnretryableException(Exception):
        def __init__(self, inner):
            super().__init__(repr(inner))
            self.inner_exception = inner
            self.code = None

    class ProxyError(IOError):
        pass

    for dropped in (ProxyError("Unable to connect to proxy: Remote end closed connection without response"),
                    RetryError("Max retries exceeded (Caused by ProxyError('Unable to connect to proxy'))")):
        error = from_exception(UnretryableException(dropped), action="CreateSecret", region="cn-hangzhou")
        assert error.code == "NetworkError"
        assert error.is_retryable
        assert "ProxyError" in error.message

    not_network = UnretryableException(ValueError("Failed to parse the value as json format"))
    assert not from_exception(not_network).is_retryable
