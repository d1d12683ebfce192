"""Personal data at rest: a key per learner, wrapped by the master key, and keyed hashes for search.

Each learner's personal fields are sealed (Fernet: AES-128-CBC with HMAC-SHA256) with a data key
of their own; the archive stores that key only wrapped by ARCHIVE_MASTER_KEY, which never enters
the database. Erasing a learner deletes their wrapped key with the sealed fields. Equality search
goes through HMAC-SHA256 under ARCHIVE_SEARCH_KEY of a normalised value ("blind index"): the
store can match an address without holding it.

ARCHIVE_MASTER_KEY may list several keys separated by commas: the first wraps new keys, all of
them unwrap, so the master key can be rotated.
"""
import functools
import hashlib
import hmac
import json
import re
import unicodedata

from cryptography.fernet import Fernet, MultiFernet


class Keyring:
    def __init__(self, master_keys, search_key):
        self.master = MultiFernet([Fernet(key.strip()) for key in master_keys.split(",") if key.strip()])
        self.search_key = search_key.encode()

    def new_wrapped_key(self):
        """A fresh data key, wrapped by the master key (the only form the archive stores)."""
        return self.master.encrypt(Fernet.generate_key()).decode()

    def seal(self, wrapped_key, values):
        return self._data_key(wrapped_key).encrypt(json.dumps(values, sort_keys=True).encode()).decode()

    def unseal(self, wrapped_key, token):
        return json.loads(self._data_key(wrapped_key).decrypt(token.encode()))

    def blind(self, kind, value, normalise=True):
        """A keyed hash of `value` for equality search; `kind` keeps different fields apart."""
        text = normalised(value) if normalise else value
        return hmac.new(self.search_key, f"{kind}:{text}".encode(), hashlib.sha256).hexdigest()

    def _data_key(self, wrapped_key):
        return Fernet(self.master.decrypt(wrapped_key.encode()))


@functools.lru_cache(maxsize=4)
def keyring(master_keys, search_key):
    return Keyring(master_keys, search_key)


def normalised(value):
    """Case, Unicode form and spacing do not make two values different."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value)).strip().casefold()
