"""Gateway settings from the environment (shared.config.setting), with quickstart defaults.

Secrets are never committed. `./scripts/start` creates them under var/secrets (see
shared.identity) and hands them to every process; where a variable is unset, the gateway and the
token command read that directory, so the quickstart's `python -m gateway.tokens` just works.
"""
from dataclasses import dataclass, field
from pathlib import Path

from shared.config import setting
from shared.identity import JWT_SECRET_FILE, SIGNING_KEY_FILE

REPO = Path(__file__).resolve().parents[1]
LOCAL_SECRETS = REPO / "var" / "secrets"
LOCAL_ISSUER = "training-platform-local"
LOCAL_AUDIENCE = "training-platform"
# Where scripts/setup puts Swagger UI's assets; the gateway serves them when they are there.
LOCAL_SWAGGER_UI = REPO / "var" / "swagger-ui"
AUTH_MODES = ("local", "oidc")


def optional(key, cast=str, default=None):
    try:
        return setting(None, key, cast, default)
    except KeyError:
        return None


def secret(key, file_name):
    """A secret from the environment, else from the quickstart's var/secrets; None if neither."""
    value = optional(key)
    if value is None and (LOCAL_SECRETS / file_name).is_file():
        value = (LOCAL_SECRETS / file_name).read_text()
    return value


@dataclass(frozen=True)
class Settings:
    amqp_uri: str = field(default_factory=lambda: setting(None, "AMQP_URI"))
    # The gateway's own small database: Idempotency-Key records (no business data).
    mongo_uri: str = field(default_factory=lambda: setting(None, "GATEWAY_MONGO_URI",
                                                           default="mongodb://127.0.0.1:27108/training_gateway"))
    rpc_timeout_seconds: float = field(default_factory=lambda: setting(None, "RPC_TIMEOUT_SECONDS", float, 5))
    rpc_pool_size: int = field(default_factory=lambda: setting(None, "RPC_POOL_SIZE", int, 4))
    max_body_bytes: int = field(default_factory=lambda: setting(None, "MAX_BODY_BYTES", int, 1024 * 1024))
    # "local": HS256 tokens minted by `python -m gateway.tokens`; "oidc": the company's provider.
    auth_mode: str = field(default_factory=lambda: setting(None, "AUTH_MODE", default="local"))
    jwt_secret: str = field(default_factory=lambda: secret("JWT_SECRET", JWT_SECRET_FILE))
    issuer: str = field(default_factory=lambda: setting(None, "OIDC_ISSUER", default=LOCAL_ISSUER))
    audience: str = field(default_factory=lambda: setting(None, "OIDC_AUDIENCE", default=LOCAL_AUDIENCE))
    jwks_url: str = field(default_factory=lambda: optional("OIDC_JWKS_URL"))
    # Where the provider puts roles, as a dotted path (Keycloak: "realm_access.roles").
    roles_claim: str = field(default_factory=lambda: setting(None, "JWT_ROLES_CLAIM", default="roles"))
    # The key the gateway signs callers' identities with, for the services to verify (Ed25519 PEM).
    identity_signing_key: str = field(default_factory=lambda: secret("IDENTITY_SIGNING_KEY", SIGNING_KEY_FILE))
    # Swagger UI's assets: served from this directory if it exists, else loaded from the URL.
    swagger_ui_dir: str = field(default_factory=lambda: setting(None, "SWAGGER_UI_DIR", default=str(LOCAL_SWAGGER_UI)))
    swagger_ui_url: str = field(default_factory=lambda: setting(
        None, "SWAGGER_UI_URL", default="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/"))

    def problems(self):
        """Why the gateway must not start with these settings (it fails closed)."""
        found = []
        if self.auth_mode not in AUTH_MODES:
            found.append(f"AUTH_MODE must be one of {', '.join(AUTH_MODES)}, not {self.auth_mode!r}")
        if self.auth_mode == "local" and not self.jwt_secret:
            found.append("AUTH_MODE=local needs JWT_SECRET (./scripts/start creates one in var/secrets)")
        if self.auth_mode == "oidc" and not (self.jwks_url and self.issuer and self.audience):
            found.append("AUTH_MODE=oidc needs OIDC_JWKS_URL, OIDC_ISSUER and OIDC_AUDIENCE")
        if not self.identity_signing_key:
            found.append("IDENTITY_SIGNING_KEY is not set (./scripts/start creates one in var/secrets)")
        return found
