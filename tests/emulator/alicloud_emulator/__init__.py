"""A local Alibaba Cloud API emulator: an HTTP(S) forward proxy for
``*.aliyuncs.com`` that answers RAM, ResourceManager, KMS, ECS and STS."""

__version__ = "0.1.0"
