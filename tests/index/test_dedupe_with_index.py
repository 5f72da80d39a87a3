from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from cleaner.dedupe import clusters_to_jsonl, dedupe
from cleaner.dedupe.against_index import rarest_anchors
from cleaner.dedupe.options import DedupeOptions
from cleaner.errors import CleanerError
from cleaner.index import SQLiteIndex

ROOT = Path(__file__).resolve().parents[2]
A = "ولادیمیر پوتین رئیس جمهور روسیه در گفتگوی تلفنی با جو بایدن از تشدید اوضاع ابراز نگرانی کرد."
B = "وزیر خارجه لهستان در نشست خبری مشترک گفت که سازمان امنیت و همکاری اروپا نشست دارد."
C = "کاخ سفید اعلام کرد که پیشرفت اساسی در این گفتگوها تنها در شرایط کاهش تنش رخ می دهد."


def test_tomorrows_batch_is_deduplicated_against_today(tmp_path):
    path = tmp_path / "idx.db"
    with SQLiteIndex(path) as index:
        today = dedupe([("d1", "d1.txt", [A, B])], index=index)
        assert today.clusters == ()
    with SQLiteIndex(path) as index:
        tomorrow = dedupe([("d2", "d2.txt", [C, A.replace("ی", "ي")])], index=index)
        assert index.stats()["paragraphs"] == 4
    (cluster,) = tomorrow.clusters
    rep, member = cluster.members
    assert (rep.doc_id, rep.from_index, rep.kept) == ("d1", True, True)
    assert (member.doc_id, member.index, member.kept) == ("d2", 1, False)
    assert tomorrow.dropped_ids() == {("d2", 1)}


def test_rerunning_a_batch_is_idempotent(tmp_path):
    docs = [("d1", "", [A, B]), ("d2", "", [C, A + "!"])]
    with SQLiteIndex(tmp_path / "idx.db") as index:
        first = dedupe(docs, index=index)
        size = index.stats()["paragraphs"]
        again = dedupe(docs, index=index)
        assert index.stats()["paragraphs"] == size == 4
    assert clusters_to_jsonl(again).replace('"from_index": true', '"from_index": false') == (
        clusters_to_jsonl(first)
    )
    assert again.dropped_ids() == first.dropped_ids() == {("d2", 1)}


def test_index_built_with_other_settings_is_refused(tmp_path):
    with SQLiteIndex(tmp_path / "idx.db") as index:
        dedupe([("d1", "", [A])], index=index)
        with pytest.raises(CleanerError, match="other settings"):
            dedupe([("d1", "", [A])], index=index, threshold=0.7)


def test_index_made_before_the_shingle_key_was_recorded_is_refused(tmp_path):
    with SQLiteIndex(tmp_path / "idx.db") as index:
        dedupe([("d1", "", [A])], index=index)
        index._db.execute("DELETE FROM settings WHERE name = 'shingle_key'")  # an old index
        with pytest.raises(CleanerError, match="shingle_key=key-without-spaces"):
            dedupe([("d2", "", [B])], index=index)


WORKER = textwrap.dedent(
    """
    import sys
    from cleaner.dedupe import dedupe
    from cleaner.index import SQLiteIndex
    path, tag = sys.argv[1], sys.argv[2]
    for batch in range(15):
        docs = [(f"{tag}-{batch}-{d}", "", [f"{tag} paragraph {batch} {d} " + "word " * (d + 5),
                                          "shared line that both workers write " * 2])
                for d in range(10)]
        with SQLiteIndex(path) as index:
            dedupe(docs, index=index)
    """
)


def test_two_processes_share_one_index(tmp_path):
    path = tmp_path / "shared.db"
    SQLiteIndex(path).close()
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(path), tag], cwd=ROOT)
        for tag in ("left", "right")
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # 2 workers x 15 batches x 10 documents x 2 paragraphs, each stored exactly once.
    assert db.execute("SELECT COUNT(*) FROM items").fetchone() == (600,)
    assert db.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM items GROUP BY doc_id, idx HAVING COUNT(*) > 1)"
    ).fetchone() == (0,)


def test_a_paragraph_looks_the_index_up_by_its_rarest_stored_anchors() -> None:
    """Paragraph 0 holds a phrase forty stored stories hold (keys 1-4) and a sentence one
    stored paragraph holds (keys 5-7): it looks the index up by the three keys of that
    sentence, not by all seven (the old lookup by every anchor met all 41 stories). A key
    the index does not hold (8) finds no container there, however rare; one held by more
    than the cap (9) is no use; paragraph 1 holds nothing stored."""
    owner = np.array([0] * 9 + [1, 1])
    key = np.arange(1, 12, dtype=np.uint64)
    stored = np.array([40, 40, 40, 40, 1, 1, 1, 0, 60, 0, 0])
    picked_owner, picked_key = rarest_anchors(owner, key, stored, DedupeOptions(), cap=50)
    assert picked_owner.tolist() == [0, 0, 0]
    assert picked_key.tolist() == [5, 6, 7]
    stored[4:7] = 0  # (the sentence not stored: the common phrase is all there is)
    assert rarest_anchors(owner, key, stored, DedupeOptions(), cap=50)[1].tolist() == [1, 2, 3]
