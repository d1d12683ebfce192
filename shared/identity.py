"""Who is calling: the platform's roles, and signed caller identities that travel with each RPC.

The gateway authenticates a person (bearer token), then signs their identity, {sub, roles}, with
its Ed25519 key and puts it in the RPC's context; every service verifies that signature with the
gateway's public key before it believes a word of it. A client that can reach the broker but
holds no key cannot act as anyone. Services calling each other sign a service identity with a
secret they share; such an identity only ever carries the role `service`.

    python -m shared.identity init var/secrets    # make the quickstart's keys and secrets once
"""
import argparse
import base64
import secrets
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.errors import Unauthenticated

ROLES = ("supervisor", "manager", "trainer", "specialist", "learner", "auditor", "admin")
# Department staff; learners are the company's customers.
STAFF_ROLES = ("supervisor", "manager", "trainer", "specialist", "auditor", "admin")
SERVICE_ROLE = "service"

AUDIENCE = "training-services"
GATEWAY_ISSUER = "training-gateway"
SERVICE_ISSUER_PREFIX = "training-service:"
TOKEN_TTL_SECONDS = 120
CLOCK_SKEW_SECONDS = 30

# File names under the directory `init` fills (scripts/start uses var/secrets).
SIGNING_KEY_FILE = "identity-signing-key.pem"
VERIFYING_KEY_FILE = "identity-verifying-key.pem"
SERVICE_SECRET_FILE = "service-identity-secret"
JWT_SECRET_FILE = "jwt-secret"
# The archive's keys: one wraps each learner's own key, one keys the hashes that equality search uses.
ARCHIVE_MASTER_KEY_FILE = "archive-master-key"
ARCHIVE_SEARCH_KEY_FILE = "archive-search-key"


def actor(subject, roles):
    """A caller as domain code sees it."""
    return {"id": str(subject), "roles": sorted(set(roles))}


def is_staff(caller):
    return bool(set(STAFF_ROLES) & set(caller["roles"]))


class IdentitySigner:
    """Signs callers' identities (the gateway with its private key, services with their secret)."""

    def __init__(self, key, issuer=GATEWAY_ISSUER, ttl_seconds=TOKEN_TTL_SECONDS):
        if issuer == GATEWAY_ISSUER:
            self.key, self.algorithm = serialization.load_pem_private_key(key.encode(), password=None), "EdDSA"
        else:
            self.key, self.algorithm = key, "HS256"
        self.issuer, self.ttl = issuer, ttl_seconds
        self._cache = {}

    def sign(self, caller):
        # A token is reused for half its life: signing on every call would cost more than the call.
        cache_key = (caller["id"], tuple(caller["roles"]))
        now = int(time.time())
        cached = self._cache.get(cache_key)
        if cached and cached[1] > now + self.ttl // 2:
            return cached[0]
        expires = now + self.ttl
        token = jwt.encode({"iss": self.issuer, "aud": AUDIENCE, "sub": caller["id"], "roles": list(caller["roles"]),
                            "iat": now, "exp": expires}, self.key, algorithm=self.algorithm)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[cache_key] = (token, expires)
        return token


def service_signer(service, secret):
    return IdentitySigner(secret, issuer=f"{SERVICE_ISSUER_PREFIX}{service}")


class IdentityVerifier:
    """Turns a signed identity back into a caller, or raises Unauthenticated.

    A token the verifier has checked is remembered until it expires: the gateway sends the same
    token for a caller's calls for a minute, and checking a signature costs more than the call."""

    def __init__(self, gateway_public_key, service_secret=None):
        self.gateway_key = serialization.load_pem_public_key(gateway_public_key.encode())
        self.service_secret = service_secret
        self._verified = {}

    def verify(self, token):
        if not token:
            raise Unauthenticated("the call carries no caller identity")
        remembered = self._verified.get(token)
        if remembered and remembered[1] > time.time():
            return dict(remembered[0])
        caller, expires = self._check(token)
        if len(self._verified) > 10_000:
            self._verified.clear()
        self._verified[token] = (caller, expires)
        return dict(caller)

    def _check(self, token):
        """(caller, expiry as a Unix time) of a token, or Unauthenticated."""
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss", "")
            if issuer == GATEWAY_ISSUER:
                claims = self._decode(token, self.gateway_key, "EdDSA", issuer)
                return actor(claims["sub"], [role for role in claims.get("roles", []) if role in ROLES]), claims["exp"]
            if issuer.startswith(SERVICE_ISSUER_PREFIX) and self.service_secret:
                claims = self._decode(token, self.service_secret, "HS256", issuer)
                return actor(claims["sub"], [SERVICE_ROLE]), claims["exp"]
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(f"the caller identity is not valid: {exc}") from None
        raise Unauthenticated("the caller identity comes from an unknown issuer")

    @staticmethod
    def _decode(token, key, algorithm, issuer):
        return jwt.decode(token, key, algorithms=[algorithm], audience=AUDIENCE, issuer=issuer, leeway=CLOCK_SKEW_SECONDS,
                          options={"require": ["exp", "iat", "sub", "iss", "aud"]})


def new_key_pair():
    """(private PEM, public PEM) of a fresh Ed25519 key."""
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private_pem, public_pem


def new_symmetric_key():
    """32 random bytes, URL-safe base64 (a Fernet key)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def init_secrets(directory):
    """Create the keys and secrets a local platform needs, keeping any that exist."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    if not (directory / SIGNING_KEY_FILE).exists():
        private_pem, public_pem = new_key_pair()
        write_secret(directory / SIGNING_KEY_FILE, private_pem)
        write_secret(directory / VERIFYING_KEY_FILE, public_pem)
    for name in (SERVICE_SECRET_FILE, JWT_SECRET_FILE):
        if not (directory / name).exists():
            write_secret(directory / name, secrets.token_urlsafe(48))
    for name in (ARCHIVE_MASTER_KEY_FILE, ARCHIVE_SEARCH_KEY_FILE):
        if not (directory / name).exists():
            write_secret(directory / name, new_symmetric_key())


def write_secret(path, text):
    path.touch(mode=0o600)
    path.write_text(text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    init = commands.add_parser("init", help="create missing keys and secrets in a directory")
    init.add_argument("directory")
    args = parser.parse_args(argv)
    init_secrets(args.directory)


if __name__ == "__main__":
    main()
