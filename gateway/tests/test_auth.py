"""Bearer-token checks in both modes; OIDC against a JWKS served on localhost (unit level:
no services are called, so the gateway's RPC pool is never used)."""
import json
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from gateway.app import MisconfiguredGateway, create_app
from gateway.settings import LOCAL_AUDIENCE, LOCAL_ISSUER, Settings
from gateway.tokens import mint as mint_with
from shared.identity import new_key_pair

SECRET = "a-test-secret-" * 3
SIGNING_KEY = new_key_pair()[0]


def settings(**overrides):
    return Settings(**dict({"amqp_uri": "amqp://guest:guest@127.0.0.1:1/", "jwt_secret": SECRET,
                            "identity_signing_key": SIGNING_KEY}, **overrides))


def app_with(**overrides):
    return create_app(settings(**overrides)).test_client()


def mint(roles, subject, ttl_seconds=3600):
    return mint_with(roles, subject, ttl_seconds, settings=settings(issuer=LOCAL_ISSUER, audience=LOCAL_AUDIENCE))


def claims(**overrides):
    now = int(time.time())
    base = {"iss": "https://sso.example.com", "aud": "training-platform", "sub": "mia",
            "iat": now, "exp": now + 600, "roles": ["manager"]}
    base.update(overrides)
    return base


@pytest.fixture(scope="module")
def oidc():
    """A signing key and its JWKS document served on a free localhost port."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwks = json.dumps({"keys": [dict(jwk, kid="key-1", use="sig", alg="RS256")]}).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(jwks)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = app_with(auth_mode="oidc", issuer="https://sso.example.com", audience="training-platform",
                      jwks_url=f"http://127.0.0.1:{server.server_port}/jwks", roles_claim="realm_access.roles")
    yield client, key
    server.shutdown()


def sign(key, **overrides):
    body = claims(**overrides)
    body["realm_access"] = {"roles": body.pop("roles")}
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": "key-1"})


def error_of(response):
    return response.status_code, response.json["error"]["code"]


def test_local_tokens_minted_for_the_quickstart_are_accepted_up_to_the_role_check():
    client = app_with()
    # A learner passes authentication but not the role check of plan approval.
    response = client.post("/api/v1/plans/plan-1/approve", json={},
                           headers={"Authorization": f"Bearer {mint(['learner'], 'ada')}"})
    assert error_of(response) == (403, "forbidden")
    assert response.json["error"]["details"] == {"required_roles": ["manager"]}


@pytest.mark.parametrize("header", [
    None, "Basic dXNlcjpwYXNz", "Bearer", "Bearer not.a.token",
    "Bearer " + jwt.encode(claims(iss="training-platform-local", aud="training-platform"), "wrong-secret-" * 4,
                           algorithm="HS256"),
])
def test_missing_or_bad_local_tokens_are_401(header):
    headers = {"Authorization": header} if header else {}
    assert error_of(app_with().get("/api/v1/plans", headers=headers)) == (401, "unauthorized")


def test_an_expired_local_token_is_401():
    expired = mint(["manager"], "mia", ttl_seconds=-10)
    response = app_with().get("/api/v1/plans", headers={"Authorization": f"Bearer {expired}"})
    assert error_of(response) == (401, "unauthorized")
    assert "expired" in response.json["error"]["message"]


def test_oidc_token_with_roles_in_a_nested_claim_passes_authentication(oidc):
    client, key = oidc
    response = client.post("/api/v1/plans/plan-1/approve", json={},
                           headers={"Authorization": f"Bearer {sign(key, roles=['learner'])}"})
    assert error_of(response) == (403, "forbidden")  # authenticated; wrong role


@pytest.mark.parametrize("overrides", [{"aud": "another-app"}, {"iss": "https://evil.example.com"},
                                       {"exp": int(time.time()) - 60}])
def test_oidc_tokens_for_another_audience_issuer_or_expired_are_401(oidc, overrides):
    client, key = oidc
    response = client.get("/api/v1/plans", headers={"Authorization": f"Bearer {sign(key, **overrides)}"})
    assert error_of(response) == (401, "unauthorized")


def test_oidc_token_signed_by_another_key_is_401(oidc):
    client, _ = oidc
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = client.get("/api/v1/plans", headers={"Authorization": f"Bearer {sign(stranger)}"})
    assert error_of(response) == (401, "unauthorized")


def test_a_token_naming_a_key_the_provider_does_not_publish_is_401_not_503(oidc):
    client, key = oidc
    token = jwt.encode(claims(realm_access={"roles": ["manager"]}), key, algorithm="RS256",
                       headers={"kid": "key-rotated-away"})
    assert error_of(client.get("/api/v1/plans", headers={"Authorization": f"Bearer {token}"})) == (
        401, "unauthorized")


def test_an_unreachable_identity_provider_is_503():
    client = app_with(auth_mode="oidc", issuer="https://sso.example.com", audience="training-platform",
                      jwks_url="http://127.0.0.1:1/jwks")
    token = jwt.encode(claims(), "x" * 32, algorithm="HS256", headers={"kid": "key-1"})
    assert error_of(client.get("/api/v1/plans", headers={"Authorization": f"Bearer {token}"}))[0] in (401, 503)


@pytest.mark.parametrize("overrides, reason", [
    ({"auth_mode": "none"}, "AUTH_MODE must be one of local, oidc"),
    ({"auth_mode": ""}, "AUTH_MODE must be one of local, oidc"),
    ({"jwt_secret": None}, "AUTH_MODE=local needs JWT_SECRET"),
    ({"auth_mode": "oidc", "jwks_url": None}, "AUTH_MODE=oidc needs OIDC_JWKS_URL"),
    ({"identity_signing_key": None}, "IDENTITY_SIGNING_KEY is not set"),
])
def test_the_gateway_refuses_to_start_with_unsafe_settings(overrides, reason):
    with pytest.raises(MisconfiguredGateway) as refused:
        create_app(settings(**overrides))
    assert reason in str(refused.value)


def test_no_signing_secret_is_committed_or_built_in(monkeypatch, tmp_path):
    """Secrets exist only where ./scripts/start made them (var/secrets, ignored by git) or where
    the deployment sets them: without either the gateway has none, and refuses to start."""
    import gateway.settings
    for name in ("JWT_SECRET", "IDENTITY_SIGNING_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(gateway.settings, "LOCAL_SECRETS", tmp_path)
    bare = Settings(amqp_uri="amqp://guest:guest@127.0.0.1:1/")
    assert (bare.jwt_secret, bare.identity_signing_key) == (None, None)

    repo = Path(__file__).resolve().parents[2]
    pem_blocks = subprocess.run(["git", "grep", "-I", "-E", "-l", "BEGIN (RSA |EC )?PRIVATE KEY-----[A-Za-z0-9+/]*$"],
                                cwd=repo, capture_output=True, text=True).stdout.split()
    assert pem_blocks == []
    assert "var/" in (repo / ".gitignore").read_text().split()
