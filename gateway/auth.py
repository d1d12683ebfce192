"""Bearer-token authentication and role checks.

Local mode verifies HS256 tokens signed with JWT_SECRET (minted by `python -m gateway.tokens`);
OIDC mode verifies the company provider's RS256/ES256 tokens against its JWKS, issuer and audience.
"""
import functools

import jwt
from flask import current_app, g, request
from flask_smorest import abort

from shared.identity import ROLES, STAFF_ROLES, actor as caller

from gateway.idempotency import run_idempotently

ASYMMETRIC_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]


class TokenVerifier:
    def __init__(self, settings):
        self.settings = settings
        # Keys are cached and fetched again when a token names a kid not seen yet (key rotation).
        self.jwks = jwt.PyJWKClient(settings.jwks_url, cache_keys=True, lifespan=3600) \
            if settings.auth_mode == "oidc" else None

    def verify(self, token):
        """The token's claims, or jwt.InvalidTokenError."""
        if self.jwks is not None:
            key, algorithms = self.jwks.get_signing_key_from_jwt(token).key, ASYMMETRIC_ALGORITHMS
        else:
            key, algorithms = self.settings.jwt_secret, ["HS256"]
        return jwt.decode(token, key, algorithms=algorithms, issuer=self.settings.issuer,
                          audience=self.settings.audience, options={"require": ["exp", "sub"]})

    def actor(self, claims):
        roles = claims
        for part in self.settings.roles_claim.split("."):
            roles = roles.get(part, {}) if isinstance(roles, dict) else {}
        roles = roles if isinstance(roles, list) else []
        return caller(claims["sub"], [role for role in roles if role in ROLES])


def authenticate():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        abort(401, message="missing bearer token")
    try:
        claims = current_app.extensions["token_verifier"].verify(token.strip())
    except jwt.PyJWKClientConnectionError:
        abort(503, message="the identity provider's keys are unavailable")
    except jwt.PyJWKClientError as exc:  # e.g. a kid the provider does not publish
        abort(401, message=f"invalid token: {exc}")
    except jwt.InvalidTokenError as exc:
        abort(401, message=f"invalid token: {exc}")
    g.actor = current_app.extensions["token_verifier"].actor(claims)
    return g.actor


def roles_required(*roles):
    """Authenticate the caller and require one of `roles` (admin passes every check)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            actor = authenticate()
            if not set(actor["roles"]) & (set(roles) | {"admin"}):
                abort(403, message="your role may not do this", errors={"required_roles": list(roles)})
            return run_idempotently(view, *args, **kwargs)

        wrapper._required_roles = roles
        return wrapper

    return decorate


def any_role(view):
    """Authenticate the caller; object-level checks happen in the service."""
    return roles_required(*ROLES)(view)


def staff_only(view):
    """Authenticate the caller and require a department staff role (not learner)."""
    return roles_required(*STAFF_ROLES)(view)
