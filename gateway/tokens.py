"""Mint a local bearer token for the quickstart (AUTH_MODE=local).

    python -m gateway.tokens manager --sub mia        # prints a token valid for 8 hours

It signs with JWT_SECRET, else with the secret ./scripts/start keeps in var/secrets.
"""
import argparse
import sys
import time

import jwt

from gateway.settings import Settings
from shared.identity import ROLES


def mint(role_names, subject, ttl_seconds=8 * 3600, settings=None):
    settings = settings or Settings()
    if not settings.jwt_secret:
        raise SystemExit("no JWT secret: run ./scripts/start once (it creates var/secrets) or set JWT_SECRET")
    now = int(time.time())
    claims = {"iss": settings.issuer, "aud": settings.audience, "sub": subject, "iat": now,
              "exp": now + ttl_seconds, "roles": list(role_names)}
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("roles", nargs="+", choices=ROLES, help="one or more roles")
    parser.add_argument("--sub", help="subject (user id); defaults to the first role's name")
    parser.add_argument("--hours", type=float, default=8, help="validity in hours")
    args = parser.parse_args(argv)
    print(mint(args.roles, args.sub or f"{args.roles[0]}-1", int(args.hours * 3600)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
