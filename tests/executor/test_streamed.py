"""Material prepared on the pool while the batch is read (``dedupe --no-clean -j N``): the
arrays of one prepare, whatever the chunks read, the shards and the arrays' growth."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import cleaner.dedupe.streamed as streamed
from cleaner.cli import main
from cleaner.dedupe import DedupeOptions, paragraphs_of
from cleaner.dedupe.prepare import prepare
from cleaner.dedupe.shards import POOL_SHARD_SIZE
from cleaner.dedupe.streamed import pack_texts, prepare_streamed, unpack_texts

from .fresh_python import run_script
from .scale_corpus import seed_paragraphs
from .test_scale_dedupe import make_docs

#: Run in a fresh process, so that the kept pool forks (this one may have threads running):
#: its workers are running when the arrays grow, and map the longer mappings through this
#: process. ``small`` leaves some shards too little room for their sets: they come back
#: through the pool, and the ones after them are laid out as pieces.
STREAM_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np
import cleaner.dedupe.shards as shards
import cleaner.dedupe.streamed as streamed
from cleaner.dedupe import DedupeOptions, paragraphs_of
from cleaner.dedupe.prepare import prepare
from cleaner.pool import kept_pool, shares_memory
from executor.test_scale_dedupe import make_docs

paragraphs = paragraphs_of(make_docs(700))
real = streamed.slot_room
def small(texts):
    return real(texts) // 3 if len(texts) % 2 else real(texts)
def check(got, whole, case):
    assert got[0] == paragraphs and got[1].paragraphs == paragraphs, case
    for name in ("digests", "set_hashes", "set_offsets", "signature", "bands", "sketch"):
        want = getattr(whole, name)
        assert getattr(got[1], name).dtype == want.dtype, (name, case)
        assert np.array_equal(getattr(got[1], name), want), (name, case)
streamed.POOL_SHARD_SIZE, streamed.FIRST_ROOM = 99, 1  # shards of 99: the arrays grow
for mode in ("near", "reuse"):
    opts = DedupeOptions(mode=mode)
    whole = prepare(paragraphs, opts)
    for room in (real, small):
        streamed.slot_room = room
        for step in (1, 40, 3500):  # chunks as read: smaller than a shard, or the whole batch
            chunks = (paragraphs[i : i + step] for i in range(0, len(paragraphs), step))
            with kept_pool(2):
                assert shares_memory(2)
                got = streamed.prepare_streamed(chunks, opts, 2, least=100)
            check(got, whole, (mode, room.__name__, step))
print("same")
"""


def test_streamed_shards_equal_one_prepare_as_the_arrays_grow():
    stdout = run_script(STREAM_SCRIPT)
    assert stdout.strip() == "same"


#: Any code point, lone surrogates (a JSON escape of half a pair) included.
_ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())


@given(st.lists(st.text(_ANY_CHAR, max_size=12), max_size=8))
def test_a_shards_texts_travel_unchanged(texts):
    assert unpack_texts(pack_texts(texts)) == texts


def test_texts_with_lone_surrogates_travel_as_a_list():
    """Two halves of a pair in two texts would be joined into one character in UTF-16."""
    texts = ["end of one \ud83d", "\ude00 start of the next", "سلام"]
    assert pack_texts(texts) == texts
    assert unpack_texts(pack_texts(texts)) == texts
    packed = pack_texts(["سلام", "", "a\U0001f600b", "x"])
    assert not isinstance(packed, list)
    assert unpack_texts(packed) == ["سلام", "", "a\U0001f600b", "x"]


def test_the_first_shards_are_small_and_the_material_that_of_one_prepare(monkeypatch):
    """The first shards go as soon as a few records are read (every worker starts early);
    the shards after them are whole; the arrays are those of one prepare."""
    paragraphs = paragraphs_of(make_docs(1500))  # 6,000 paragraphs
    sizes: list[int] = []
    real = streamed._prepare_task

    def counted(tasks):
        sizes.extend(len(unpack_texts(texts)) for texts, _, _ in tasks)
        return real(tasks)

    monkeypatch.setattr(streamed, "_prepare_task", counted)
    opts = DedupeOptions()
    chunks = (paragraphs[i : i + 250] for i in range(0, len(paragraphs), 250))
    got, prepared = prepare_streamed(chunks, opts, 1, 250)
    first = list(streamed.FIRST_SHARDS)
    rest = len(paragraphs) - sum(first)
    whole, last = divmod(rest, POOL_SHARD_SIZE)
    assert sizes == first + [POOL_SHARD_SIZE] * whole + ([last] if last else [])
    assert got == paragraphs and prepared is not None
    want = prepare(paragraphs, opts)
    for name in ("digests", "set_hashes", "set_offsets", "signature", "bands", "sketch"):
        assert np.array_equal(getattr(prepared, name), getattr(want, name)), name


def test_a_batch_under_the_least_is_left_to_the_dedupe():
    paragraphs = paragraphs_of(make_docs(10))
    got, prepared = prepare_streamed(
        iter([paragraphs[:20], paragraphs[20:]]), DedupeOptions(), 2, 51
    )
    assert got == paragraphs and prepared is None
    got, prepared = prepare_streamed(iter([]), DedupeOptions(), 2, 1)
    assert got == [] and prepared is None


def test_one_paragraph_records_streamed_give_the_clusters_and_output_of_one_worker(tmp_path):
    """Records read as the pool prepares them (several shards, a short last one): the
    clusters and the documents written with -o are those of one worker."""
    paras = seed_paragraphs()
    records = []
    for k in range(5100):
        text = paras[k % len(paras)]
        if k % 4 == 1:
            text = text.replace("ی", "ي") + " (به گزارش ایسنا)"
        elif k % 4 == 2:
            text = f"گزارش شماره {k} درباره موضوعی دیگر که در هیچ سند دیگری نیامده است {k * 7}"
        records.append(json.dumps({"id": f"r{k}", "text": text, "source": f"outlet-{k}"}))
    corpus = tmp_path / "records.jsonl"
    corpus.write_text("\n".join(records) + "\n", encoding="utf-8")
    outs = []
    for j in ("1", "2"):
        clusters, out = tmp_path / f"c{j}.jsonl", tmp_path / f"out{j}"
        args = [str(corpus), "--no-clean", "--source-field", "source", "--clusters", str(clusters)]
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from cleaner.cli import main; main()",
                "dedupe",
                *args,
                "-o",
                str(out),
                "--parts",
                "jsonl",
                "-q",
                "-j",
                j,
            ],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        parts = sorted(out.iterdir())
        outs.append((clusters.read_bytes(), [p.read_bytes() for p in parts]))
    assert outs[0] == outs[1]
    assert outs[0][0].count(b"\n") >= 100


def test_streaming_in_a_process_with_threads_still_loads(tmp_path):
    """Where the pool cannot fork (this test process may have threads), the records are
    loaded as before: the same clusters."""
    corpus = tmp_path / "r.jsonl"
    paras = seed_paragraphs()
    corpus.write_text(
        "".join(
            json.dumps({"id": f"r{k}", "text": paras[k % len(paras)]}) + "\n" for k in range(2500)
        ),
        encoding="utf-8",
    )
    got = []
    for j in ("1", "2"):
        res = CliRunner().invoke(main, ["dedupe", str(corpus), "--no-clean", "-q", "-j", j])
        assert res.exit_code == 0, res.output
        got.append(res.stdout)
    assert got[0] == got[1] and got[0].count("\n") > 10
