"""Redis index: one history shared by many ``cleaner`` processes, on one or several machines.

Spec: ``redis://HOST:PORT/DB`` (``?prefix=NAME:`` keeps several indexes in one database;
default ``cleaner:``). Layout under the prefix:

* ``uid`` (hash): ``doc_id \\x1f index \\x1f digest`` -> pid; ``next_pid`` (counter);
* ``item:PID`` (hash): the stored paragraph (text, shingles and signature as raw uint64 bytes);
* ``k:KEY`` (set): the pids found by one key (band key, anchor, phrase key), ``nkeys`` counts them;
* ``df`` (hash): word -> paragraphs holding it; ``settings`` (hash): first writer wins.

Every insert runs as one Lua script, and Redis runs a script atomically: the check that a uid
is new, the pid it gets, its keys and its document frequencies happen together or not at all,
so concurrent writers never lose an insert nor count one twice.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

from cleaner.errors import CleanerError, IndexFailure
from cleaner.index.base import (
    STORED_FIELDS,
    ClosesOnExit,
    IndexItem,
    iter_chunks,
    stored_item,
    stored_row,
    unique_keys,
)

DEFAULT_PREFIX = "cleaner:"

#: Seconds to open a connection, and to wait for one answer (an insert script of
#: ``batch`` paragraphs on a busy server); ``?socket_timeout=...`` in the URL overrides.
CONNECT_SECONDS = 10.0
READ_SECONDS = 120.0
_SEP = "\x1f"

# ARGV: prefix, uid, doc_id, idx, digest, source, text, shingles, signature, words,
# number of keys, keys..., number of distinct words, words...
_ADD_SCRIPT = """
local p = ARGV[1]
if redis.call('HEXISTS', p .. 'uid', ARGV[2]) == 1 then return 0 end
local pid = redis.call('INCR', p .. 'next_pid')
redis.call('HSET', p .. 'uid', ARGV[2], pid)
redis.call('HSET', p .. 'item:' .. pid, 'doc_id', ARGV[3], 'idx', ARGV[4], 'digest', ARGV[5],
           'source', ARGV[6], 'text', ARGV[7], 'shingles', ARGV[8], 'signature', ARGV[9],
           'words', ARGV[10])
local nk = tonumber(ARGV[11])
for i = 12, 11 + nk do
  local k = p .. 'k:' .. ARGV[i]
  if redis.call('SADD', k, pid) == 1 and redis.call('SCARD', k) == 1 then
    redis.call('INCR', p .. 'nkeys')
  end
end
local nw = tonumber(ARGV[12 + nk])
for i = 13 + nk, 12 + nk + nw do
  redis.call('HINCRBY', p .. 'df', ARGV[i], 1)
end
return 1
"""


def split_spec(url: str) -> tuple[str, str]:
    """The connection URL and the key prefix of a ``redis://`` spec.

    >>> split_spec("redis://localhost:6379/0?prefix=news:")
    ('redis://localhost:6379/0', 'news:')
    >>> split_spec("redis://h:1/2")
    ('redis://h:1/2', 'cleaner:')
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    prefix = next((v for k, v in query if k == "prefix"), DEFAULT_PREFIX)
    rest = urlencode([(k, v) for k, v in query if k != "prefix"])
    return urlunsplit(parts._replace(query=rest)), prefix


def uid_field(uid: tuple[str, int, str]) -> str:
    """The field an item's uid is stored under.

    >>> uid_field(("a.txt", 3, "ff"))
    'a.txt\\x1f3\\x1fff'
    """
    return f"{uid[0]}{_SEP}{uid[1]}{_SEP}{uid[2]}"


class RedisIndex(ClosesOnExit):
    """An :class:`~cleaner.index.base.Index` in a Redis database, safe for concurrent writers."""

    def __init__(self, url: str, batch: int = 500) -> None:
        try:
            import redis
        except ImportError as exc:  # an optional dependency
            raise CleanerError(
                "the Redis index needs the redis client: pip install 'cleaner[scale]'"
            ) from exc
        self.url, self.prefix = split_spec(url)
        self.batch = batch
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError,)
        try:
            self._db = redis.Redis.from_url(
                self.url,
                socket_connect_timeout=CONNECT_SECONDS,
                socket_timeout=READ_SECONDS,
                health_check_interval=30,
            )
            self._db.ping()
            self._add = self._db.register_script(_ADD_SCRIPT)
        except ValueError as exc:
            raise CleanerError(f"{url}: not a Redis URL ({exc})") from exc
        except redis.RedisError as exc:
            raise IndexFailure(
                f"{url}: cannot reach Redis ({exc}); start redis-server or fix --index"
            ) from exc

    def _k(self, name: str) -> str:
        return self.prefix + name

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn a lost connection into an error the user can act on."""
        try:
            yield
        except self._errors as exc:
            raise IndexFailure(
                f"{self.url}: Redis failed ({exc}); is the server up and answering?"
            ) from exc

    def settings(self, values: Mapping[str, str]) -> dict[str, str]:
        """Store settings not stored yet; return what the index holds (first writer wins)."""
        with self._guard():
            pipe = self._db.pipeline()
            for name, value in values.items():
                pipe.hsetnx(self._k("settings"), name, value)
            pipe.hgetall(self._k("settings"))
            stored = pipe.execute()[-1]
        return {k.decode(): v.decode() for k, v in stored.items()}

    def add(self, items: Sequence[IndexItem]) -> int:
        """Store items not stored yet (by uid); returns how many were new."""
        new = 0
        with self._guard():
            for chunk in iter_chunks(items, self.batch):
                pipe = self._db.pipeline(transaction=False)  # each script is atomic itself
                for item in chunk:
                    keys = sorted({int(k) for k in item.keys.astype(np.uint64)})
                    words = sorted(set(item.words))
                    args: list[Any] = [
                        self.prefix,
                        uid_field(item.uid),
                        *stored_row(item),
                        len(keys),
                        *keys,
                        len(words),
                        *words,
                    ]
                    self._add(args=args, client=pipe)
                new += sum(int(x) for x in pipe.execute())
        return new

    def query(self, keys: Iterable[int], limit: int | None = None) -> dict[int, list[int]]:
        """For each stored key (uint64 as int), the pids holding it; a key held by more than
        ``limit`` pids is counted on the server and given no pids."""
        wanted = unique_keys(keys).tolist()
        out: dict[int, list[int]] = {}
        with self._guard():
            for chunk in iter_chunks(wanted, self.batch):
                if limit is not None:
                    pipe = self._db.pipeline(transaction=False)
                    for k in chunk:
                        pipe.scard(self._k(f"k:{k}"))
                    sizes = list(zip(chunk, pipe.execute(), strict=True))
                    out.update((k, []) for k, size in sizes if size > limit)
                    chunk = [k for k, size in sizes if 0 < size <= limit]
                pipe = self._db.pipeline(transaction=False)
                for k in chunk:
                    pipe.smembers(self._k(f"k:{k}"))
                for k, members in zip(chunk, pipe.execute(), strict=True):
                    if members:  # (a writer may have added holders since they were counted)
                        too_many = limit is not None and len(members) > limit
                        out[k] = [] if too_many else sorted(int(m) for m in members)
        return out

    def counts(self, keys: np.ndarray) -> np.ndarray:
        """How many stored items hold each key (0: none), counted on the server."""
        keys = np.asarray(keys, dtype=np.uint64)
        distinct = unique_keys(keys)
        found: list[int] = []
        with self._guard():
            for chunk in iter_chunks(distinct.tolist(), self.batch):
                pipe = self._db.pipeline(transaction=False)
                for k in chunk:
                    pipe.scard(self._k(f"k:{k}"))
                found += pipe.execute()
        held = np.array(found, dtype=np.int64)
        return held[np.searchsorted(distinct, keys)] if len(distinct) else held

    def get(self, pids: Iterable[int]) -> list[IndexItem]:
        """The stored items with these pids, in pid order."""
        items: list[IndexItem] = []
        with self._guard():
            for chunk in iter_chunks(sorted(set(pids)), self.batch):
                pipe = self._db.pipeline(transaction=False)
                for pid in chunk:
                    pipe.hgetall(self._k(f"item:{pid}"))
                for pid, row in zip(chunk, pipe.execute(), strict=True):
                    if row:
                        items.append(_item(pid, row))
        return items

    def lookup(self, uids: Iterable[tuple[str, int, str]]) -> dict[tuple[str, int, str], int]:
        """Pids of the items already stored under these uids."""
        wanted = list(dict.fromkeys(uids))
        out: dict[tuple[str, int, str], int] = {}
        with self._guard():
            for chunk in iter_chunks(wanted, self.batch):
                pids = self._db.hmget(self._k("uid"), [uid_field(u) for u in chunk])
                out.update({u: int(p) for u, p in zip(chunk, pids, strict=True) if p is not None})
        return out

    def document_frequencies(self, words: Iterable[str]) -> tuple[dict[str, int], int]:
        """Stored paragraphs holding each word, and the number of stored paragraphs."""
        wanted = sorted(set(words))
        out: dict[str, int] = {}
        with self._guard():
            for chunk in iter_chunks(wanted, self.batch):
                counts = self._db.hmget(self._k("df"), chunk)
                out.update({w: int(n) for w, n in zip(chunk, counts, strict=True) if n})
            total = int(self._db.hlen(self._k("uid")))
        return out, total

    def stats(self) -> Mapping[str, Any]:
        """Counts for a summary."""
        with self._guard():
            pipe = self._db.pipeline(transaction=False)
            pipe.hlen(self._k("uid"))
            pipe.get(self._k("nkeys"))
            paragraphs, nkeys = pipe.execute()
        return {
            "backend": "redis",
            "url": self.url,
            "prefix": self.prefix,
            "paragraphs": int(paragraphs),
            "keys": int(nkeys or 0),
        }

    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        """Nothing to group: every add is already pipelined, each insert atomic."""
        yield

    def close(self) -> None:
        """Close the connection pool."""
        self._db.close()


def _item(pid: int, row: Mapping[bytes, bytes]) -> IndexItem:
    """An IndexItem from its stored hash."""
    return stored_item(pid, [row[f.encode()] for f in STORED_FIELDS])


def open_redis(rest: str) -> RedisIndex:
    """Open a ``redis:`` spec given without its scheme (the form the index factory passes)."""
    return RedisIndex("redis:" + rest)
