"""Lets domain errors cross nameko RPC intact: the caller gets the same class with its details."""
from nameko.exceptions import deserialize_to_instance

from shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, Unauthenticated

REMOTE_ERRORS = (DomainError, InvalidInput, NotFound, Conflict, Forbidden, Unauthenticated)

for _error in REMOTE_ERRORS:
    deserialize_to_instance(_error)
