"""The emulator's own CA and the per-host certificates it issues for CONNECT.

Clients trust the CA through the bundle written next to it (the CA plus the
usual public roots, so pointing SSL_CERT_FILE at it does not break other TLS
in the same process). EC P-256 keys keep start-up and per-host issuing fast.
"""

from __future__ import annotations

import datetime
import os
import ssl
import threading
from typing import Dict

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_CERT = "ca.pem"
CA_KEY = "ca-key.pem"
BUNDLE = "ca-bundle.pem"


def _public_roots() -> bytes:
    try:
        import certifi  # present wherever requests is; optional here
        path = certifi.where()
    except ImportError:
        path = ssl.get_default_verify_paths().cafile
    if path and os.path.exists(path):
        with open(path, "rb") as handle:
            return handle.read()
    return b""


def _write(path: str, data: bytes, mode: int = 0o644) -> None:
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class CertificateAuthority:
    def __init__(self, directory: str):
        self.directory = directory
        self.hosts_dir = os.path.join(directory, "hosts")
        os.makedirs(self.hosts_dir, exist_ok=True)
        self.cert_path = os.path.join(directory, CA_CERT)
        self.bundle_path = os.path.join(directory, BUNDLE)
        self._lock = threading.Lock()
        self._contexts: Dict[str, ssl.SSLContext] = {}
        key_path = os.path.join(directory, CA_KEY)
        if os.path.exists(self.cert_path) and os.path.exists(key_path):
            with open(self.cert_path, "rb") as handle:
                self._cert = x509.load_pem_x509_certificate(handle.read())
            with open(key_path, "rb") as handle:
                self._key = serialization.load_pem_private_key(handle.read(), password=None)
        else:
            self._key, self._cert = self._new_ca()
            _write(key_path, self._key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()), 0o600)
            _write(self.cert_path, self._cert.public_bytes(serialization.Encoding.PEM))
        _write(self.bundle_path, self._cert.public_bytes(serialization.Encoding.PEM) + b"\n" + _public_roots())

    @staticmethod
    def _new_ca():
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "alicloud-emulator"),
            x509.NameAttribute(NameOID.COMMON_NAME, "alicloud-emulator local CA"),
        ])
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        cert = (
            x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - datetime.timedelta(days=1))
            .not_valid_after(_now() + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256())
        )
        return key, cert

    def _issue(self, host: str):
        key = ec.generate_private_key(ec.SECP256R1())
        ca_ski = self._cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(self._cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - datetime.timedelta(days=1))
            .not_valid_after(_now() + datetime.timedelta(days=397))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        return key, cert

    def server_context(self, host: str) -> ssl.SSLContext:
        """A TLS server context presenting a certificate for ``host`` (cached)."""
        host = host.lower()
        with self._lock:
            context = self._contexts.get(host)
            if context is not None:
                return context
            key, cert = self._issue(host)
            path = os.path.join(self.hosts_dir, f"{host}.pem")
            _write(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption())
                   + cert.public_bytes(serialization.Encoding.PEM), 0o600)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(path)
            self._contexts[host] = context
            return context
