"""MinHash signatures for a whole batch at once: one-permutation hashing with densification.

Classic MinHash applies ``num_perm`` hash functions to every shingle, which is where plain
datasketch spends its time (shingles x permutations). One-permutation hashing (Li, Owen and
Zhang 2012) hashes each shingle once: the top bits pick one of ``num_perm`` bins, the low
32 bits are the value, and each bin keeps its minimum. Bins no shingle fell into are filled
by optimal densification (Shrivastava 2017): bin ``j`` copies the first non-empty bin of a
probe sequence that depends only on ``j``, so two paragraphs densify alike and
``P(sig_a[j] == sig_b[j])`` stays their Jaccard similarity. Everything runs on numpy arrays
over all paragraphs of a batch; no Python object is made per shingle.

Signatures are uint64 arrays with values below 2**32, the range datasketch uses, so a row
can be stored or queried as a :class:`datasketch.LeanMinHash` (:func:`to_lean`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cleaner.dedupe.keys import mix64

if TYPE_CHECKING:
    from datasketch import LeanMinHash

#: Marks a bin no shingle fell into (larger than any 32-bit value).
EMPTY = np.uint64(1 << 32)
_LOW32 = np.uint64(0xFFFFFFFF)
_MASK64 = (1 << 64) - 1


def _probe_table(num_perm: int, rounds: int, seed: int) -> np.ndarray:
    """Bins to try, round by round, when filling empty bin ``j`` (same for every paragraph)."""
    grid = np.arange(rounds * num_perm, dtype=np.uint64) + np.uint64(
        (seed * 0x9E3779B9 + 1) & _MASK64
    )
    return (mix64(grid) % np.uint64(num_perm)).astype(np.int64).reshape(rounds, num_perm)


def signatures(
    hashes: np.ndarray, offsets: np.ndarray, num_perm: int = 128, seed: int = 1
) -> np.ndarray:
    """One-permutation MinHash signatures, one row per paragraph of a batch.

    Args:
        hashes: Shingle hashes of all paragraphs, concatenated (see ``batch_shingles``).
        offsets: Paragraph ``i`` owns ``hashes[offsets[i]:offsets[i + 1]]``.
        num_perm: Number of bins, i.e. signature length (a power of two).
        seed: Changes every bin assignment and value; signatures compare only at one seed.

    Returns:
        ``(n, num_perm)`` uint64 array; a paragraph without shingles gets an all-EMPTY row.

    >>> from cleaner.dedupe.keys import batch_shingles
    >>> h, off = batch_shingles(["abcdefghij" * 3, "abcdefghij" * 3, "zzzzzzzzzz"])
    >>> sig = signatures(h, off, num_perm=16)
    >>> bool((sig[0] == sig[1]).all()), bool((sig[0] == sig[2]).any())
    (True, False)
    """
    if num_perm & (num_perm - 1) or num_perm < 2:
        raise ValueError(f"num_perm must be a power of two, not {num_perm}")
    n = len(offsets) - 1
    sig = np.full(n * num_perm, EMPTY, dtype=np.uint64)
    counts = np.diff(offsets)
    if len(hashes):
        salted = mix64(hashes ^ np.uint64((seed * 0x2545F4914F6CDD1D) & _MASK64))
        bins = (salted >> np.uint64(64 - num_perm.bit_length() + 1)).astype(np.int64)
        owner = np.repeat(np.arange(n, dtype=np.int64) * num_perm, counts)
        np.minimum.at(sig, owner + bins, salted & _LOW32)
    table = sig.reshape(n, num_perm)
    _densify(table, seed)
    return table


def _densify(sig: np.ndarray, seed: int) -> None:
    """Fill empty bins in place from the probe sequence of each bin (optimal densification)."""
    if not sig.flags.c_contiguous:  # the flat view below would be a copy, filled in vain
        raise ValueError("densification fills a C-contiguous signature table in place")
    n, num_perm = sig.shape
    flat = sig.reshape(-1)  # a view: bins are looked up and filled by flat position
    empty = np.flatnonzero(flat == EMPTY)
    if not len(empty):
        return
    has_any = (sig != EMPTY).any(axis=1)
    empty = empty[has_any[empty // num_perm]]
    # Each empty bin as the flat position of its row's first bin and its column.
    row_start, cols = empty - empty % num_perm, empty % num_perm
    original = flat.copy()
    rounds = 8 * num_perm
    table = _probe_table(num_perm, rounds, seed)
    for r in range(rounds):
        if not len(cols):
            return
        got = original[row_start + table[r][cols]]
        hit = got != EMPTY
        flat[row_start[hit] + cols[hit]] = got[hit]
        miss = ~hit
        row_start, cols = row_start[miss], cols[miss]
    # Astronomically rare (a bin missed 8*num_perm probes): fall back to the row minimum.
    rows = row_start // num_perm
    sig[rows, cols] = original.reshape(n, num_perm)[rows].min(axis=1)


def to_lean(row: np.ndarray, seed: int = 1) -> LeanMinHash:
    """Wrap one signature row as a datasketch LeanMinHash (for storage or MinHashLSH).

    datasketch asks for the permutation scheme of the values; ``legacy`` is the one stored
    as uint64 with 32-bit values, like ours. The values come from one-permutation hashing,
    so compare them only with signatures made by this module at the same seed.
    """
    # Imported here: datasketch imports scipy (0.5 s), which a run that only computes
    # signatures does not need.
    from datasketch import LeanMinHash

    return LeanMinHash(seed=seed, hashvalues=row.astype(np.uint64), scheme="legacy")
