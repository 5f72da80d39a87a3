from __future__ import annotations

from collections import defaultdict

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.dedupe.lsh import collision_pairs


def _pairs_by_the_docstring(
    keys: list[int], owners: list[int], max_group: int | None, clique: int
) -> list[list[int]]:
    """collision_pairs' contract, one key at a time: its owners in order; a group of at most
    ``clique`` rows gives every pair, a larger one each row with the first and the previous
    one, one over ``max_group`` nothing; pairs of an owner with itself dropped."""
    groups: dict[int, list[int]] = defaultdict(list)
    for key, owner in zip(keys, owners, strict=True):
        groups[key].append(owner)
    found = set()
    for members in groups.values():
        members.sort()
        if len(members) <= clique:
            links = [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
        elif max_group is not None and len(members) > max_group:
            links = []
        else:
            links = [(members[0], b) for b in members[1:]]
            links += list(zip(members, members[1:], strict=False))
        found |= {(min(a, b), max(a, b)) for a, b in links if a != b}
    return [list(p) for p in sorted(found)]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 12), st.integers(0, 40)), max_size=120),
    st.one_of(st.none(), st.integers(1, 30)),
    st.integers(1, 18),
)
def test_collision_pairs_follow_their_contract(rows, max_group, clique):
    keys = [k * 0x9E3779B97F4A7C15 % 2**64 for k, _ in rows]  # spread over 64 bits
    owners = [o for _, o in rows]
    got = collision_pairs(
        np.array(keys, dtype=np.uint64), np.array(owners, dtype=np.int64), max_group, clique
    )
    assert got.tolist() == _pairs_by_the_docstring(keys, owners, max_group, clique)
