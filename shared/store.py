"""MongoDB access: one database per service, named by MONGO_URI's path."""
import uuid
from urllib.parse import urlparse

from pymongo import MongoClient, ReturnDocument
from pymongo.uri_parser import parse_uri

from shared.errors import NotFound


def database_name(mongo_uri, service):
    return parse_uri(mongo_uri).get("database") or f"training_{service}"


def connect(mongo_uri, service, timeout_seconds=5):
    """A client and the service's database; pymongo connects lazily and pools connections."""
    timeout_ms = int(float(timeout_seconds) * 1000)
    client = MongoClient(mongo_uri, serverSelectionTimeoutMS=timeout_ms,
                         connectTimeoutMS=timeout_ms, tz_aware=True)
    return client, client[database_name(mongo_uri, service)]


def redacted(mongo_uri):
    """The URI without credentials, for logs."""
    parsed = urlparse(mongo_uri)
    host = parsed.hostname or ""
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{host}{port}{parsed.path}"


def page(collection, query, sort, limit, offset):
    """One page of a query: (total matching, items on this page)."""
    total = collection.count_documents(query)
    items = list(collection.find(query).sort(sort).skip(offset).limit(limit))
    return total, items


def next_in_sequence(db, name):
    """The next number of a named sequence (1, 2, ...): one $inc on a counter document, so
    concurrent callers never get the same number."""
    counter = db["sequences"].find_one_and_update({"_id": name}, {"$inc": {"last": 1}}, upsert=True,
                                                  return_document=ReturnDocument.AFTER)
    return counter["last"]


def new_id(prefix):
    """A short, readable document id such as session-3f9c0a1b2d4e."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def fetch(collection, doc_id, noun):
    """The document with this id, or NotFound naming it (e.g. noun "session" → session_id)."""
    doc = collection.find_one({"_id": doc_id})
    if doc is None:
        raise NotFound(f"{noun} {doc_id} does not exist", {f"{noun}_id": doc_id})
    return doc


def version_guard(expected):
    """The filter of an edit made to version `expected` of a document, or {} when the editor named
    none (last writer wins). An edit also `$inc`s `version`; documents older than versions are 0."""
    if expected is None:
        return {}
    if expected == 0:
        return {"$or": [{"version": 0}, {"version": {"$exists": False}}]}
    return {"version": expected}
