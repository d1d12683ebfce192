"""Gateway settings from the environment, with quickstart defaults."""
import os
from dataclasses import dataclass, field
from pathlib import Path

LOCAL_ISSUER = "training-platform-local"
LOCAL_AUDIENCE = "training-platform"
# Only for the quickstart and tests; AUTH_MODE=oidc ignores it.
# Where scripts/setup puts Swagger UI's assets; the gateway serves them when they are there.
LOCAL_SWAGGER_UI = Path(__file__).resolve().parents[1] / "var" / "swagger-ui"
LOCAL_DEV_SECRET = "local-development-secret-change-me-0123456789"


def env(name, default=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    amqp_uri: str = field(default_factory=lambda: env("AMQP_URI", "amqp://guest:guest@127.0.0.1:5682/"))
    rpc_timeout_seconds: float = field(default_factory=lambda: float(env("RPC_TIMEOUT_SECONDS", "5")))
    rpc_pool_size: int = field(default_factory=lambda: int(env("RPC_POOL_SIZE", "4")))
    max_body_bytes: int = field(default_factory=lambda: int(env("MAX_BODY_BYTES", str(1024 * 1024))))
    # "local": HS256 tokens minted by `python -m gateway.tokens`; "oidc": the company's provider.
    auth_mode: str = field(default_factory=lambda: env("AUTH_MODE", "local"))
    jwt_secret: str = field(default_factory=lambda: env("JWT_SECRET", LOCAL_DEV_SECRET))
    issuer: str = field(default_factory=lambda: env("OIDC_ISSUER", LOCAL_ISSUER))
    audience: str = field(default_factory=lambda: env("OIDC_AUDIENCE", LOCAL_AUDIENCE))
    jwks_url: str = field(default_factory=lambda: env("OIDC_JWKS_URL"))
    # Where the provider puts roles, as a dotted path (Keycloak: "realm_access.roles").
    roles_claim: str = field(default_factory=lambda: env("JWT_ROLES_CLAIM", "roles"))
    # Swagger UI's assets: served from this directory if it exists, else loaded from the URL.
    swagger_ui_dir: str = field(default_factory=lambda: env("SWAGGER_UI_DIR", str(LOCAL_SWAGGER_UI)))
    swagger_ui_url: str = field(default_factory=lambda: env(
        "SWAGGER_UI_URL", "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/"))
