"""The permission matrix: docs/api/permissions.md is what the code enforces, and every route
refuses exactly the roles the matrix leaves out, called with every role. A unit test of the
gateway alone: the services are replaced by a stand-in that answers every call with an empty
page, since the role check comes before any call (which objects a role sees is the services'
business, tested with them)."""
import re

import pytest

from gateway.permissions import DOCUMENT, PUBLIC_PREFIXES, document, gateway_app, matrix
from gateway.tokens import mint
from shared.identity import ROLES

from gateway.tests.test_auth import settings

APP = gateway_app()
MATRIX = matrix(APP)
TOKEN_SETTINGS = settings()


def concrete(route):
    """A callable path for a route template: every variable becomes a plausible id."""
    route = re.sub(r"<int:[a-z_]+>", "1", route)
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda match: f"{match.group(1).replace('_', '-')}-1", route)


def test_the_document_is_the_codes_matrix():
    assert DOCUMENT.read_text() == document(APP), "run python -m gateway.permissions --write"


def test_every_api_route_names_its_roles_or_is_deliberately_public():
    public = sorted(f"{method} {route}" for (method, route), roles in MATRIX.items() if roles is None)
    assert [entry for entry in public if not entry.split(" ", 1)[1].startswith(PUBLIC_PREFIXES)] == [
        "GET /api/v1/calendars/feeds/<key>.ics", "GET /api/v1/surveys/invitations/<token>",
        "POST /api/v1/surveys/invitations/<token>"]


class StandInServices:
    def call(self, service, method, *args, **kwargs):
        return {"total": 0, "items": []}


def gateway_without_services():
    from gateway.app import create_app

    app = create_app(TOKEN_SETTINGS)
    app.extensions["rpc"] = StandInServices()
    return app.test_client()


@pytest.mark.parametrize("role", ROLES)
def test_every_route_refuses_exactly_the_roles_the_matrix_leaves_out(role):
    client = gateway_without_services()
    headers = {"Authorization": f"Bearer {mint([role], f'{role}-1', settings=TOKEN_SETTINGS)}"}
    wrong = []
    for (method, route), roles in MATRIX.items():
        if roles is None:
            continue
        response = client.open(concrete(route), method=method, headers=headers, json={})
        refused_by_role = response.status_code == 403 and "required_roles" in response.get_json()["error"]["details"]
        if refused_by_role == (role in roles):
            wrong.append(f"{method} {route}: {response.status_code}")
    assert wrong == []


def test_without_a_token_every_non_public_route_is_401():
    client = gateway_without_services()
    answers = {f"{method} {route}": client.open(concrete(route), method=method, json={}).status_code
               for (method, route), roles in MATRIX.items() if roles is not None}
    assert {status for status in answers.values()} == {401}
