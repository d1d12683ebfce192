"""Leases: which replica of a service runs a timer's round (DESIGN.md §3.2).

A lease is one document per timer, {_id: name, owner, expires_at}, taken with a single
conditional update: free or expired → ours. Its holder renews it on every round, so it stays
with one replica until that replica stops renewing (stops, crashes, loses the store); then
another takes it once it has expired.
"""
from datetime import timedelta

from pymongo.errors import DuplicateKeyError

from shared.events import utc_now

LEASES = "leases"


class Lease:
    def __init__(self, db, name, owner, ttl_seconds):
        self.collection = db[LEASES]
        self.name, self.owner = name, owner
        self.ttl = timedelta(seconds=ttl_seconds)

    def acquire(self, now=None):
        """True if this owner holds the lease now (taken or renewed until now + ttl)."""
        now = now or utc_now()
        try:
            self.collection.update_one(
                {"_id": self.name, "$or": [{"owner": self.owner}, {"expires_at": {"$lte": now}}]},
                {"$set": {"owner": self.owner, "expires_at": now + self.ttl, "renewed_at": now}},
                upsert=True)
        except DuplicateKeyError:  # it exists and another owner holds it, so the upsert could not insert
            return False
        return True

    def release(self):
        self.collection.delete_one({"_id": self.name, "owner": self.owner})
