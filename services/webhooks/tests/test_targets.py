"""Unit tests of the webhook target policy (SSRF): checked after DNS resolution, no network."""
import socket

import pytest

from shared.errors import InvalidInput

from services.webhooks.targets import TargetPolicy, resolve

STRICT = TargetPolicy()


def resolving_to(*addresses):
    def getaddrinfo(host, port, type=None):
        return [(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
                for address in addresses]
    return getaddrinfo


def test_a_public_https_target_is_kept_with_the_address_that_was_checked():
    target = resolve("https://crm.example.com:8443/hooks/training?token=abc", STRICT, resolving_to("93.184.216.34"))
    assert (target.scheme, target.host, target.port, target.path, target.address) == (
        "https", "crm.example.com", 8443, "/hooks/training?token=abc", "93.184.216.34")


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254",
                                     "0.0.0.0", "::1", "fe80::1", "fd00::7", "::ffff:10.0.0.1", "224.0.0.1"])
def test_internal_addresses_are_refused_after_resolution(address):
    with pytest.raises(InvalidInput) as refused:
        resolve("https://innocent.example.com/hook", STRICT, resolving_to(address))
    assert "internal address" in refused.value.message


def test_one_internal_address_among_public_ones_is_enough_to_refuse():
    with pytest.raises(InvalidInput):
        resolve("https://mixed.example.com/", STRICT, resolving_to("93.184.216.34", "10.0.0.5"))


def test_plain_http_is_refused_unless_allowed():
    with pytest.raises(InvalidInput) as refused:
        resolve("http://crm.example.com/hook", STRICT, resolving_to("93.184.216.34"))
    assert "only https" in refused.value.message
    assert resolve("http://crm.example.com/hook", TargetPolicy(allow_http=True), resolving_to("93.184.216.34")).port == 80


def test_internal_targets_pass_when_the_operator_allows_them():
    target = resolve("https://localhost:9443/hook", TargetPolicy(allow_private=True), resolving_to("127.0.0.1"))
    assert (target.address, target.port) == ("127.0.0.1", 9443)


def test_a_host_that_does_not_resolve_is_refused():
    def nowhere(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(InvalidInput) as refused:
        resolve("https://nowhere.invalid/", STRICT, nowhere)
    assert "does not resolve" in refused.value.message
