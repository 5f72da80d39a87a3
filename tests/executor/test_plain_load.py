"""Clean text records parsed on the pool (``dedupe --no-clean``): the same documents, errors
and clusters with one worker or two, and the same as reading the inputs in one stream."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner.cli import main
from cleaner.errors import InputError
from cleaner.executor.plain import load_plain, plain_document
from cleaner.io import line_batches
from cleaner.io.inputs import ReadOptions, iter_sources
from cleaner.io.line_batches import dataset_batches, read_batch

from .scale_corpus import seed_paragraphs

CLEANER = [sys.executable, "-c", "from cleaner.cli import main; main()"]

BROKEN = [
    b"\xef\xbb\xbf" + json.dumps({"id": "bom", "text": "a byte order mark inside a file"}).encode(),
    b"{not json",
    b"",
    b"   ",
    b'["a list", "not an object"]',
    b'{"id": "bad-utf8", "text": "\xff\xfe"}',
    b'{"id": "no-text", "body": "the text is under another name"}',
    b'{"text": "a record without an id is named by its line"}',
]


def _lines(records: list[dict[str, str]]) -> list[bytes]:
    return [json.dumps(r, ensure_ascii=False).encode() for r in records]


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of records with broken lines among good ones: plain, gzipped, truncated
    gzip (a read failure half way), a text document, and a .json array."""
    root = tmp_path_factory.mktemp("broken")
    paras = seed_paragraphs()
    good = [
        {"id": f"d{k}", "text": paras[k % len(paras)] + "\n\n" + paras[(k * 5 + 1) % len(paras)]}
        for k in range(40)
    ]
    a = _lines(good[:15])
    a[3:3] = BROKEN
    (root / "a.jsonl").write_bytes(b"\n".join(a) + b"\n")
    b = _lines(good[15:30])
    b[7:7] = BROKEN[1:3]
    b[0] = b"\xef\xbb\xbf" + b[0]  # a byte order mark where it is allowed: the first line
    (root / "b.jsonl.gz").write_bytes(gzip.compress(b"\n".join(b) + b"\n"))
    whole = gzip.compress(b"\n".join(_lines(good[30:40])) + b"\n")
    (root / "c.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    (root / "d.txt").write_text(paras[0] + "\n\n" + paras[1] + "\n", encoding="utf-8")
    (root / "e.json").write_text(json.dumps(good[:3] + [7]), encoding="utf-8")
    return root


def _seen(items) -> list[tuple[str, ...]]:
    return [
        (x.source, x.reason) if isinstance(x, InputError) else (x.id, x.source, x.data)
        for x in items
    ]


@pytest.mark.parametrize("batch", [1, 4, 1000])
def test_batches_read_as_the_inputs_are_read(broken, batch):
    paths = [str(broken), str(broken / "missing.jsonl")]
    batched = [x for _, b in dataset_batches(paths, ReadOptions(), batch) for x in read_batch(b)]
    assert _seen(batched) == _seen(iter_sources(paths))
    # A cap on a record's bytes refuses the long lines, each as its own file:line error.
    read = ReadOptions(max_bytes=300)
    capped = [x for _, b in dataset_batches(paths, read, batch) for x in read_batch(b)]
    assert _seen(capped) == _seen(iter_sources(paths, ReadOptions(max_bytes=300)))
    assert any(isinstance(x, InputError) and "record" in x.reason for x in capped)
    reasons = [x.reason for x in batched if isinstance(x, InputError)]
    assert any("bad JSON" in r for r in reasons) and any("not UTF-8" in r for r in reasons)
    assert any("gzip" in r for r in reasons) and any("no such file" in r for r in reasons)


def _loaded(paths, workers, batch):
    """Documents (with their partition) and errors, each in the order loaded."""
    docs, errors = [], []
    for part, found, failed in load_plain(paths, ReadOptions(), workers, batch):
        docs += [(part, doc) for doc in found]
        errors += [(e.source, e.reason) for e in failed]
    return docs, errors


def test_two_workers_load_what_one_loads(broken):
    paths = [str(broken), str(broken / "missing.jsonl")]
    one = _loaded(paths, 1, 3)
    assert _loaded(paths, 2, 3) == one
    sources = list(iter_sources(paths))
    expected_docs = [plain_document(x) for x in sources if not isinstance(x, InputError)]
    expected_errors = [(x.source, x.reason) for x in sources if isinstance(x, InputError)]
    docs, errors = one
    assert [doc for _, doc in docs] == expected_docs
    assert errors == expected_errors and len(errors) >= 8
    in_c = sum(1 for _, d in docs if "c.jsonl.gz:" in d[1])
    assert 0 < in_c < 10  # the records before the truncation are kept
    assert len(docs) == 16 + 15 + in_c + 1 + 3  # a (one id-less), b, c, d.txt, e.json
    assert sorted({part for part, _ in docs}) == [0, 1, 2, 3, 4]  # 5: the missing file


def test_dedupe_no_clean_gives_the_same_clusters_and_errors_with_two_workers(broken, tmp_path):
    outs = []
    for j in ("1", "2"):
        clusters = tmp_path / f"c{j}.jsonl"
        args = ["dedupe", str(broken), "--no-clean", "--clusters", str(clusters), "-q", "-j", j]
        res = CliRunner().invoke(main, args)
        errors = [ln for ln in res.stderr.splitlines() if ln.startswith("cleaner: error:")]
        outs.append((res.exit_code, errors, clusters.read_bytes()))
    assert outs[0] == outs[1]
    exit_code, errors, clusters = outs[0]
    assert exit_code == 1
    assert f"cleaner: error: {broken / 'a.jsonl'}:5: bad JSON" in "\n".join(errors)
    assert clusters.count(b"\n") >= 1  # the .json array repeats three records


def test_one_paragraph_records_give_the_same_clusters_with_two_workers(tmp_path):
    """Thousands of one-paragraph records (each pool stage on two workers, its inputs handed
    to the kept pool's workers or inherited by a new fork): the clusters of one worker."""
    paras = seed_paragraphs()
    records = []
    for k in range(3000):
        text = paras[k % len(paras)]
        if k % 3 == 1:  # a near copy: a word dropped
            text = " ".join(w for i, w in enumerate(text.split()) if i != 2)
        elif k % 3 == 2:  # a fresh line, alike in shape only
            text = f"گزارش شماره {k} درباره موضوعی دیگر که در هیچ سند دیگری نیامده است {k * 7}"
        records.append({"id": f"r{k}", "text": text})
    corpus = tmp_path / "records.jsonl"
    corpus.write_bytes(b"\n".join(_lines(records)) + b"\n")
    outs = []
    for j in ("1", "2"):  # in a fresh process: its pool forks (this one may have threads)
        clusters = tmp_path / f"c{j}.jsonl"
        args = ["dedupe", str(corpus), "--no-clean", "--clusters", str(clusters), "-q", "-j", j]
        done = subprocess.run([*CLEANER, *args], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        outs.append(clusters.read_bytes())
    assert outs[0] == outs[1]
    assert outs[0].count(b"\n") >= 50


@pytest.mark.parametrize("read_size", [1, 7, 64, 1 << 18])
@pytest.mark.parametrize("cap", [40, 41, 42, 1 << 20])
def test_blocks_of_lines_read_what_a_line_at_a_time_reads(tmp_path, monkeypatch, read_size, cap):
    """Blocks cut wherever the reads end: the same records and errors as line by line, the
    cap on a line's bytes at its exact edge (with CRLF, the last line without a newline, a
    line over the cap longer than a read)."""
    monkeypatch.setattr(line_batches, "_READ_SIZE", read_size)
    fill = [json.dumps({"id": f"r{k}", "text": "x" * k}).encode() for k in range(14, 20)]
    lines = [
        b"\xef\xbb\xbf" + fill[0],
        fill[1] + b"\r",
        b"",
        fill[2],
        b'{"text": "' + "ي".encode() * 600 + b'"}',
        fill[3],
        b"{broken",
        fill[4] + b"\r",
        fill[5],
    ]
    path = tmp_path / "edges.jsonl"
    path.write_bytes(b"\n".join(lines))  # no newline after the last line
    read = ReadOptions(max_bytes=cap)
    for max_lines in (1, 2, 1000):
        got = [x for _, b in dataset_batches([str(path)], read, max_lines) for x in read_batch(b)]
        assert _seen(got) == _seen(iter_sources([str(path)], read))
