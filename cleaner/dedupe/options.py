"""The options of a dedupe run, in one frozen dataclass."""

from __future__ import annotations

from dataclasses import dataclass

from cleaner.dedupe.keys import SHINGLE_KEY, SHINGLE_SIZE

MODES = ("near", "reuse")

#: Index settings recorded only since some version, with the value every index made before
#: holds (see :meth:`DedupeOptions.index_settings`): such an index is refused, not misread.
UNRECORDED = {"shingle_key": "key-without-spaces"}
SCOPES = ("within", "across", "outlets", "all")
#: Which paragraph of a cluster is kept (its centre): the first seen, the last, the longest or
#: the shortest text (:func:`cleaner.dedupe.stars.priority` ranks them).
KEEP_POLICIES = ("first", "last", "longest", "shortest")


@dataclass(frozen=True)
class DedupeOptions:
    """Every knob of a run.

    Attributes:
        mode: ``near`` (near-duplicate paragraphs, including a short line quoted inside a
            longer one) or ``reuse`` (near, plus paragraphs sharing rare phrases).
        threshold: Jaccard similarity of shingle sets at which a pair is a near duplicate;
            also tunes the LSH banding.
        containment: Share of the smaller paragraph's shingles found in the larger one at
            which it counts as contained; None turns containment off.
        min_contained: Shingles the smaller paragraph needs for containment to count
            (a five-word line is contained in too much by chance).
        reuse_threshold: Reuse mode: share of the smaller paragraph's word rarity weight
            that its two heaviest shared chains must carry (see :mod:`cleaner.dedupe.reuse`).
        reuse_min_weight: Reuse mode: rarity weight those chains must carry in
            absolute terms (a word or phrase only the two paragraphs hold weighs 1). Both
            were chosen on ``bench/reuse_eval.py`` rounds 0-39 (figures in its docstring).
        scope: Pairs ``within`` one document, ``across`` documents, between different
            ``outlets`` (a paragraph with no outlet counts as its document's own), or ``all``.
        keep: Which member of a cluster is kept when dropping (see ``KEEP_POLICIES``).
        num_perm: Signature length (a power of two).
        seed: Hash seed; an index only compares signatures made with its seed.
        shingle_size: Characters per shingle.
        anchor_rate: One shingle in about this many is an anchor (containment candidates).
        anchors_per_paragraph: Each paragraph looks for its containers by this many of its
            rarest anchors ...
        anchors_shared: ... of which a container must hold this many.
        max_postings: Anchors and phrase keys held by more paragraphs than this are skipped
            as candidates (they are boilerplate; LSH still finds whole-paragraph repeats) ...
        max_postings_share: ... or than this share of the paragraphs compared, when more.
            A fixed cap skips more and more real anchors as a corpus grows: on 200,000
            paragraphs built from the seeds the rarest anchors of a quoted line are held
            by ten times more paragraphs than on 20,000, and quoted-span recall fell from
            0.985 to 0.941 with a cap of 50; with the cap scaled it is 0.996
            (``bench/dedupe_eval.py --n 200000``). Boilerplate grows with the corpus too,
            so the cap follows it. Only a paragraph's rarest anchor gets the
            whole cap; its others share ``anchors_per_paragraph * max_postings`` holders
            (so below the cap nothing changes, and above it a paragraph adds at most one
            long posting list).
        workers: Processes the batch's pair stages run on (band shuffle, containment
            candidates, verification; see :mod:`cleaner.dedupe.pair_stages`); 1 runs them in this
            process. The result does not depend on it.
        progress: Draw a bar on stderr, when it is a terminal, while reuse mode scores its
            pairs (the longest stage of a large reuse batch).
    """

    mode: str = "near"
    threshold: float = 0.4
    containment: float | None = 0.8
    min_contained: int = 20
    reuse_threshold: float = 0.15
    reuse_min_weight: float = 5.75
    scope: str = "all"
    keep: str = "first"
    num_perm: int = 128
    seed: int = 1
    shingle_size: int = SHINGLE_SIZE
    anchor_rate: int = 2
    anchors_per_paragraph: int = 3
    anchors_shared: int = 1
    max_postings: int = 50
    max_postings_share: float = 0.0025
    workers: int = 1
    progress: bool = False

    def postings_cap(self, paragraphs: int) -> int:
        """Largest posting list used for candidates among ``paragraphs`` paragraphs.

        >>> DedupeOptions().postings_cap(20_000), DedupeOptions().postings_cap(200_000)
        (50, 500)
        """
        return max(self.max_postings, int(self.max_postings_share * paragraphs))

    def index_settings(self) -> dict[str, str]:
        """The options an index's stored keys depend on (a mismatch makes them useless)."""
        return {
            "num_perm": str(self.num_perm),
            "seed": str(self.seed),
            "shingle_size": str(self.shingle_size),
            "threshold": str(self.threshold),
            "anchor_rate": str(self.anchor_rate),
            # The string shingles are cut from (cleaner.dedupe.keys.SHINGLE_KEY): an index
            # of shingles cut from another one matches nothing well.
            "shingle_key": SHINGLE_KEY,
        }
