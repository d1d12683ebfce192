"""Where a webhook may go, and sending it there.

A subscriber's URL is checked when the subscription is made and again before every delivery,
after DNS resolution: https only, and no loopback, private, link-local or otherwise internal
address, unless the operator allows them (WEBHOOK_ALLOW_HTTP, WEBHOOK_ALLOW_PRIVATE: the
quickstart and tests). The request then goes to the very address that was checked (the name is
kept for TLS and the Host header), so a DNS answer that changes in between cannot redirect it
inside the network. Redirects are not followed.
"""
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

from shared.errors import InvalidInput


@dataclass(frozen=True)
class TargetPolicy:
    allow_http: bool = False
    allow_private: bool = False
    ca_bundle: str = None  # trust these CAs instead of the system's (a test receiver's, an internal CA)
    timeout_seconds: float = 10


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def resolve(url, policy, getaddrinfo=socket.getaddrinfo):
    """The checked target of `url`, or InvalidInput saying why it may not be used."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and policy.allow_http):
        raise refused(url, "only https targets are allowed")
    if not parts.hostname:
        raise refused(url, "the URL names no host")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = sorted({info[4][0] for info in getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)})
    except socket.gaierror as exc:
        raise refused(url, f"the host does not resolve ({exc.strerror})") from None
    for address in addresses:
        if internal(ipaddress.ip_address(address.split("%")[0])) and not policy.allow_private:
            raise refused(url, f"{parts.hostname} resolves to {address}, an internal address")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


def internal(address):
    return (address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
            or address.is_multicast or address.is_unspecified
            or (address.version == 6 and address.ipv4_mapped is not None and internal(address.ipv4_mapped)))


def refused(url, reason):
    return InvalidInput(f"webhook target refused: {reason}", {"fields": {"url": [reason]}})


def post(target, body, headers, policy):
    """POST to the checked address; returns (status code or None, error or None, milliseconds)."""
    started = time.perf_counter()
    options = {"timeout": urllib3.Timeout(total=policy.timeout_seconds), "retries": False}
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(target.address, target.port, server_hostname=target.host,
                                           assert_hostname=target.host, cert_reqs="CERT_REQUIRED",
                                           ca_certs=policy.ca_bundle, **options)
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, **options)
    try:
        response = pool.request("POST", target.path, body=body, redirect=False,
                                headers=dict(headers, Host=host_header(target)))
        return response.status, None, elapsed_ms(started)
    except urllib3.exceptions.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}", elapsed_ms(started)
    finally:
        pool.close()


def host_header(target):
    default = 443 if target.scheme == "https" else 80
    return target.host if target.port == default else f"{target.host}:{target.port}"


def elapsed_ms(started):
    return int((time.perf_counter() - started) * 1000)
