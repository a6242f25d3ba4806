# Copyright: (c) 2026, alicloud.kms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection layer every module of alicloud.kms stands on.

``AlicloudModule`` adds the shared connection options (documented in the
``alicloud.kms.alicloud`` doc fragment) to a module's own, and
``AlicloudConnection`` turns them into SDK clients whose every call goes
through one retry policy and one error translation. The SDKs are imported
only when the first client is made, so a module that fails validation, or
never calls the cloud, does not pay for importing them.
"""

from __future__ import annotations

import importlib
import json
import re
import threading

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.alicloud.kms.plugins.module_utils.errors import AlicloudError
from ansible_collections.alicloud.kms.plugins.module_utils.retries import RetryPolicy

# product -> (SDK package on PyPI, client module, default endpoint).
PRODUCTS = {
    "ram": ("alibabacloud-ram20150501", "alibabacloud_ram20150501", "ram.aliyuncs.com"),
    "resourcemanager": ("alibabacloud-resourcemanager20200331", "alibabacloud_resourcemanager20200331", "resourcemanager.aliyuncs.com"),
    "kms": ("alibabacloud-kms20160120", "alibabacloud_kms20160120", "kms.{region}.aliyuncs.com"),
}

REGION_PATTERN = re.compile(r"^[a-z]{2,4}(-[a-z0-9]+){1,3}$")


def _env(*names):
    return dict(fallback=(env_fallback, list(names)))


CONNECTION_ARGUMENT_SPEC = dict(
    # The AccessKey ID names the key, like a user name; the secret is secret_key.
    access_key=dict(type="str", no_log=False, aliases=["alicloud_access_key", "access_key_id"],
                    **_env("ALICLOUD_ACCESS_KEY", "ALICLOUD_ACCESS_KEY_ID")),
    secret_key=dict(type="str", no_log=True, aliases=["alicloud_secret_key", "access_key_secret"],
                    **_env("ALICLOUD_SECRET_KEY", "ALICLOUD_ACCESS_KEY_SECRET")),
    security_token=dict(type="str", no_log=True, aliases=["alicloud_security_token"],
                        **_env("ALICLOUD_SECURITY_TOKEN")),
    profile=dict(type="str", aliases=["alicloud_profile"], **_env("ALICLOUD_PROFILE")),
    shared_credentials_file=dict(type="path", aliases=["profile_file"],
                                 **_env("ALIBABA_CLOUD_CONFIG_FILE", "ALICLOUD_SHARED_CREDENTIALS_FILE")),
    ecs_role_name=dict(type="str", aliases=["alicloud_ecs_role_name"], **_env("ALICLOUD_ECS_ROLE_NAME")),
    assume_role_arn=dict(type="str", aliases=["alicloud_assume_role_arn"], **_env("ALICLOUD_ASSUME_ROLE_ARN")),
    assume_role_session_name=dict(type="str", default="ansible-alicloud-kms", aliases=["alicloud_assume_role_session_name"],
                                  **_env("ALICLOUD_ASSUME_ROLE_SESSION_NAME")),
    assume_role_session_expiration=dict(type="int", default=3600, aliases=["alicloud_assume_role_session_expiration"],
                                        **_env("ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION")),
    assume_role_policy=dict(type="json"),
    region=dict(type="str", aliases=["alicloud_region", "region_id"],
                **_env("ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION", "ALICLOUD_REGION_ID")),
    protocol=dict(type="str", choices=["https", "http"], default="https",
                  **_env("ALICLOUD_PROTOCOL", "ALIBABA_CLOUD_PROTOCOL")),
    ram_endpoint=dict(type="str", **_env("ALICLOUD_RAM_ENDPOINT")),
    resourcemanager_endpoint=dict(type="str", **_env("ALICLOUD_RESOURCEMANAGER_ENDPOINT")),
    kms_endpoint=dict(type="str", **_env("ALICLOUD_KMS_ENDPOINT")),
    sts_endpoint=dict(type="str", **_env("ALIBABA_CLOUD_STS_ENDPOINT", "ALICLOUD_STS_ENDPOINT")),
    max_retries=dict(type="int", default=10, **_env("ALICLOUD_MAX_RETRIES")),
    connect_timeout=dict(type="int", default=10),
    read_timeout=dict(type="int", default=30),
)

CONNECTION_MUTUALLY_EXCLUSIVE = [
    ["profile", "access_key"],
    ["profile", "secret_key"],
    ["profile", "security_token"],
    ["profile", "ecs_role_name"],
    ["ecs_role_name", "access_key"],
    ["ecs_role_name", "security_token"],
]

CONNECTION_REQUIRED_TOGETHER = [["access_key", "secret_key"]]


def snake_case(name):
    """``CreateServiceLinkedRole`` -> ``create_service_linked_role`` (SDK method names)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def validate_connection_params(params):
    """Return the first problem with the connection options, or None."""
    region = params.get("region")
    if region is not None and not REGION_PATTERN.match(region):
        return "region: %r is not a region ID (for example cn-hangzhou)" % region
    for name in ("max_retries", "connect_timeout", "read_timeout"):
        value = params.get(name)
        low = 0 if name == "max_retries" else 1
        if value is not None and value < low:
            return "%s: must be at least %d, got %d" % (name, low, value)
    expiration = params.get("assume_role_session_expiration")
    if expiration is not None and not 900 <= expiration <= 43200:
        return "assume_role_session_expiration: must be between 900 and 43200 seconds, got %d" % expiration
    for name in ("access_key", "secret_key", "security_token", "profile", "ecs_role_name", "assume_role_arn"):
        if params.get(name) == "":
            return "%s: must not be empty" % name
    arn = params.get("assume_role_arn")
    if arn and not arn.startswith("acs:ram::"):
        return "assume_role_arn: %r is not a RAM role ARN (acs:ram::<account-id>:role/<name>)" % arn
    policy = params.get("assume_role_policy")
    if policy is not None:
        # type=json lets any string through; STS would only refuse it after the credentials were sent.
        try:
            document = json.loads(policy)
        except (TypeError, ValueError) as exc:
            return "assume_role_policy: is not a JSON policy document (%s)" % exc
        if not isinstance(document, dict):
            return "assume_role_policy: must be a JSON object (a policy document), got %s" % type(document).__name__
    return None


class AlicloudConnection:
    """SDK clients made from the connection options, shared by threads."""

    def __init__(self, params, retry_policy=None):
        self.params = params
        self.region = params.get("region")
        self.retry_policy = retry_policy or RetryPolicy(max_retries=params.get("max_retries", 10))
        self._clients = {}
        self._lock = threading.Lock()
        self._credential = None

    def endpoint(self, product, region=None):
        override = self.params.get("%s_endpoint" % product)
        template = override or PRODUCTS[product][2]
        return template.replace("{region}", region or self.region or "")

    def credential(self):
        """The credentials client: explicit options first, else the SDK's default chain."""
        if self._credential is None:
            self._credential = build_credential(self.params)
        return self._credential

    def client(self, product, region=None):
        key = (product, region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self._new_client(product, region)
            return self._clients[key]

    def _new_client(self, product, region):
        share_tls_contexts()
        package, module_name, _default = PRODUCTS[product]
        client_module = import_sdk(module_name + ".client", package)
        openapi = import_sdk("alibabacloud_tea_openapi.utils_models", "alibabacloud-tea-openapi")
        config = openapi.Config(
            credential=self.credential(),
            region_id=region or self.region or "cn-hangzhou",
            endpoint=self.endpoint(product, region),
            protocol=self.params.get("protocol") or "https",
            connect_timeout=self.params.get("connect_timeout", 10) * 1000,
            read_timeout=self.params.get("read_timeout", 30) * 1000,
            user_agent="AnsibleCollection/alicloud.kms",
        )
        return client_module.Client(config)

    def runtime_options(self):
        runtime = import_sdk("darabonba.runtime", "alibabacloud-tea-openapi")
        return runtime.RuntimeOptions(
            autoretry=False,  # our RetryPolicy is the only one
            connect_timeout=self.params.get("connect_timeout", 10) * 1000,
            read_timeout=self.params.get("read_timeout", 30) * 1000,
        )

    def call(self, product, action, request, region=None, on_retry=None):
        """Call ``action`` with a request model; the response body as a dict (PascalCase).

        ``request`` is None for the few actions whose SDK method takes none
        (KMS ``DescribeRegions``).
        """
        method = getattr(self.client(product, region), snake_case(action) + "_with_options")

        def attempt():
            args = () if request is None else (request,)
            response = method(*args, self.runtime_options())
            body = getattr(response, "body", None)
            return body.to_map() if body is not None else {}

        return self.retry_policy.call(attempt, action=action, region=region, product=product, on_retry=on_retry)


_TLS_LOCK = threading.Lock()
_TLS_SHARED = []


def share_tls_contexts():
    """Make the SDK build one SSL context per scheme, not one per endpoint host.

    darabonba gives each endpoint host its own requests session, and builds
    for it a new SSL context that loads every CA certificate: tens of
    milliseconds of CPU, under the GIL, before the host's first request. A
    listing of 28 regions has 28 KMS hosts, so that alone took seconds. An
    SSL context holds configuration only and is safe to share between
    threads; each host still gets its own adapter and connection pool, made
    as the SDK makes them. When the SDK no longer has the internals this
    relies on, nothing is changed.
    """
    with _TLS_LOCK:
        if _TLS_SHARED:
            return
        _TLS_SHARED.append(True)
        try:
            core = importlib.import_module("darabonba.core")
            dara, adapter_class = core.DaraCore, core._TLSAdapter
            default_connections, default_maxsize = core.DEFAULT_POOL_SIZE, core.DEFAULT_POOL_MAXSIZE
            original = dara.get_adapter
        except (ImportError, AttributeError):
            return
        contexts = {}
        contexts_lock = threading.Lock()

        def get_adapter(prefix, tls_min_version=None, pool_size=None):
            key = (str(prefix).upper(), tls_min_version)
            with contexts_lock:
                context = contexts.get(key)
                if context is None:
                    adapter = original(prefix, tls_min_version, pool_size=pool_size)
                    contexts[key] = getattr(adapter, "ssl_context", None)
                    return adapter
            return adapter_class(ssl_context=context, pool_connections=default_connections,
                                 pool_maxsize=pool_size if pool_size is not None and pool_size > 0 else default_maxsize)

        dara.get_adapter = staticmethod(get_adapter)


def call_or_none(connection, product, action, request, region=None):
    """``connection.call``, but None when the answer is that the thing does not exist.

    "Missing" is a value for reads and idempotent deletes; errors.py alone
    decides which codes mean it.
    """
    try:
        return connection.call(product, action, request, region=region)
    except AlicloudError as error:
        if error.is_missing:
            return None
        raise


def import_sdk(module_name, package):
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        raise MissingSDKError(package, exc) from None


class MissingSDKError(Exception):
    def __init__(self, package, exc):
        super().__init__(package)
        self.package = package
        self.exc = exc


def sts_endpoint(params):
    """The STS endpoint for assuming a role, in the same protocol as every other call.

    alibabacloud-credentials always speaks https to STS unless the endpoint
    itself names a scheme, so ``protocol: http`` has to travel in the endpoint.
    """
    endpoint = params.get("sts_endpoint") or "sts.aliyuncs.com"
    if params.get("protocol") == "http" and "://" not in endpoint:
        endpoint = "http://" + endpoint
    return endpoint


def build_credential(params):
    cred_client = import_sdk("alibabacloud_credentials.client", "alibabacloud-credentials")
    providers = import_sdk("alibabacloud_credentials.provider", "alibabacloud-credentials")
    source = None
    if params.get("access_key"):
        if params.get("security_token"):
            source = providers.StaticSTSCredentialsProvider(
                access_key_id=params["access_key"], access_key_secret=params["secret_key"],
                security_token=params["security_token"])
        else:
            source = providers.StaticAKCredentialsProvider(
                access_key_id=params["access_key"], access_key_secret=params["secret_key"])
    elif params.get("profile") or params.get("shared_credentials_file"):
        source = providers.CLIProfileCredentialsProvider(
            profile_name=params.get("profile"), profile_file=params.get("shared_credentials_file"))
    elif params.get("ecs_role_name"):
        source = providers.EcsRamRoleCredentialsProvider(role_name=params["ecs_role_name"])
    if params.get("assume_role_arn"):
        source = providers.RamRoleArnCredentialsProvider(
            credentials_provider=source or providers.DefaultCredentialsProvider(),
            role_arn=params["assume_role_arn"],
            role_session_name=params.get("assume_role_session_name") or "ansible-alicloud-kms",
            duration_seconds=params.get("assume_role_session_expiration") or 3600,
            policy=params.get("assume_role_policy"),
            sts_endpoint=sts_endpoint(params),
        )
    return cred_client.Client(provider=source) if source is not None else cred_client.Client()


class AlicloudModule(AnsibleModule):
    """An AnsibleModule with the collection's connection options and error reporting."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(CONNECTION_ARGUMENT_SPEC)
        spec.update(argument_spec)
        kwargs["mutually_exclusive"] = CONNECTION_MUTUALLY_EXCLUSIVE + list(kwargs.get("mutually_exclusive") or [])
        kwargs["required_together"] = CONNECTION_REQUIRED_TOGETHER + list(kwargs.get("required_together") or [])
        super().__init__(argument_spec=spec, **kwargs)
        problem = validate_connection_params(self.params)
        if problem:
            self.fail_json(msg=problem)
        self._connection = None

    @property
    def connection(self):
        if self._connection is None:
            self._connection = AlicloudConnection(self.params)
        return self._connection

    def require_region(self, name="region"):
        if not self.params.get(name):
            self.fail_json(msg="%s: is required; set it, or ALIBABA_CLOUD_REGION_ID / ALICLOUD_REGION" % name)
        return self.params[name]

    def fail_on_error(self, error, msg=None, **result):
        """Fail the task with everything known of a failed call, and nothing secret."""
        if isinstance(error, MissingSDKError):
            self.fail_json(msg=missing_required_lib(error.package), **result)
        result.update(error.to_result())
        self.fail_json(msg="%s: %s" % (msg, error.describe()) if msg else error.describe(), **result)

    def run(self, body):
        """Run ``body(self)``; any cloud error ends the task cleanly instead of as a traceback."""
        try:
            body(self)
        except (AlicloudError, MissingSDKError) as error:
            self.fail_on_error(error)
