"""The HTTP API contract as a file: docs/api/openapi.json, kept equal to what the gateway serves.

    python -m gateway.openapi --write    # after changing the API; review the diff like code
"""
import argparse
import json
from pathlib import Path

from shared.identity import new_key_pair

from gateway.app import create_app
from gateway.settings import Settings

SNAPSHOT = Path(__file__).resolve().parents[1] / "docs" / "api" / "openapi.json"


def current_spec():
    # Building the app connects to nothing; the RPC pool opens connections only on first use.
    app = create_app(Settings(amqp_uri="amqp://guest:guest@127.0.0.1:1/", jwt_secret="only-to-build-the-document",
                              identity_signing_key=new_key_pair()[0]))
    with app.test_client() as client:
        return client.get("/api/openapi.json").get_json()


def dumps(spec):
    return json.dumps(spec, indent=2, sort_keys=True) + "\n"


def removed_operations(published, current):
    """Operations a client may rely on that the current API no longer has."""
    return sorted(f"{method.upper()} {path}" for path, operations in published["paths"].items()
                  for method in operations
                  if method != "parameters" and method not in current["paths"].get(path, {}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="write docs/api/openapi.json")
    spec = current_spec()
    if parser.parse_args().write:
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(dumps(spec))
        print(f"wrote {SNAPSHOT}")
    else:
        print(dumps(spec), end="")
