"""Dedupe on several processes and on a real Dask LocalCluster: the same clusters as one process."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from cleaner.cli import main
from cleaner.dedupe import DedupeOptions, clusters_to_jsonl, dedupe, paragraphs_of
from cleaner.dedupe.prepare import prepare
from cleaner.dedupe.shards import prepare_parallel
from cleaner.errors import InputError
from cleaner.executor import open_engine
from cleaner.executor.base import dedupe_on
from cleaner.executor.local import LocalEngine
from cleaner.io.inputs import iter_sources
from cleaner.pipeline.run import clean_sources

from .fresh_python import run_script
from .scale_corpus import seed_paragraphs

FIELDS = ("signature", "bands", "anchor_owner", "anchor_key")


def make_docs(n_docs: int = 700) -> list[tuple[str, str, list[str]]]:
    """Documents of seed paragraphs: exact repeats, small edits, quoted lines, fresh text."""
    paras = seed_paragraphs()
    docs = []
    for d in range(n_docs):
        body = []
        for k in range(4):
            p = paras[(d * 7 + k * 3) % len(paras)]
            if (d + k) % 3 == 1:
                p = p.replace("ی", "ي") + " (به گزارش ایسنا)"
            elif (d + k) % 5 == 2:
                p = " ".join(p.split()[1:])
            body.append(p)
        body.append(f"یادداشت {d} درباره موضوعی دیگر با شماره {d * 31 % 997} و متنی تازه.")
        docs.append((f"doc-{d:04d}", f"outlet-{d % 5}", body))
    return docs


@pytest.fixture(scope="module")
def docs() -> list[tuple[str, str, list[str]]]:
    return make_docs()


def test_sharded_preparation_equals_one_prepare(docs):
    paragraphs = paragraphs_of(docs)
    opts = DedupeOptions()
    whole = prepare(paragraphs, opts)
    joined = prepare_parallel(paragraphs, opts, workers=2, size=700)
    for name in FIELDS:
        assert np.array_equal(getattr(whole, name), getattr(joined, name)), name
    assert np.array_equal(whole.digests, joined.digests)
    for i in range(len(paragraphs)):
        assert np.array_equal(whole.shingle_set(i), joined.shingle_set(i))


@pytest.mark.parametrize("options", [{}, {"mode": "reuse", "scope": "across", "keep": "longest"}])
def test_local_engine_clusters_equal_one_process(docs, options):
    assert len(paragraphs_of(docs)) >= 3000  # large enough to be sharded
    one = dedupe(docs, **options)
    two = dedupe_on(LocalEngine(2), docs, **options)
    assert one.clusters and clusters_to_jsonl(one) == clusters_to_jsonl(two)
    assert one.dropped == two.dropped


def _as_data(results):
    return [r.source if isinstance(r, InputError) else r.to_dict() for r in results]


def test_dask_local_cluster_cleans_and_clusters_like_the_local_engine(docs, corpus):
    with open_engine("dask", workers=2) as engine:
        info = engine.client.scheduler_info()["workers"]
        assert len(info) == 2  # two worker processes
        assert len({w["host"] + str(w.get("pid", w["id"])) for w in info.values()}) == 2
        on_dask = dedupe_on(engine, docs)
        cleaned = list(engine.clean(iter_sources([str(corpus), "missing.txt"]), None))
    assert clusters_to_jsonl(on_dask) == clusters_to_jsonl(dedupe(docs))
    assert on_dask.dropped == dedupe(docs).dropped
    local = list(clean_sources(iter_sources([str(corpus), "missing.txt"])))
    assert _as_data(cleaned) == _as_data(local)
    assert isinstance(cleaned[-1], InputError)


def test_cli_on_an_existing_cluster_gives_the_local_clusters(cluster, corpus, tmp_path):
    runner = CliRunner()
    base = ["dedupe", str(corpus), "--clusters", "-", "-q"]
    local = runner.invoke(main, [*base, "-j", "1"])
    remote = runner.invoke(
        main, [*base, "--engine", "dask", "--scheduler", cluster.scheduler_address]
    )
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    assert local.stdout and remote.stdout == local.stdout
    two = runner.invoke(main, [*base, "-j", "2"])
    assert two.stdout == local.stdout
    # The band shuffle and the verification as the cluster's tasks: the same clusters.
    dask = ["--engine", "dask", "--scheduler", cluster.scheduler_address]
    on_cluster = runner.invoke(main, [*base, *dask, "-j", "2", "--pair-stages", "cluster"])
    assert on_cluster.exit_code == 0, on_cluster.output
    assert on_cluster.stdout == local.stdout


def test_scheduler_without_dask_engine_is_a_usage_error(corpus):
    res = CliRunner().invoke(main, ["dedupe", str(corpus), "--scheduler", "tcp://x:1"])
    assert res.exit_code == 2 and "--engine dask" in res.stderr
    res = CliRunner().invoke(main, ["dedupe", str(corpus), "--pair-stages", "cluster"])
    assert res.exit_code == 2 and "--engine dask" in res.stderr


#: Run in a fresh process: this one may have threads (a Dask client, a cluster fixture),
#: and then the pair stages stay in-process by design (a pool could not fork).
PAIR_STAGES_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
import cleaner.dedupe.cluster_lines as lines
import cleaner.dedupe.containment as containment
import cleaner.dedupe.pair_stages as stages
from cleaner.dedupe import clusters_to_jsonl, dedupe
from cleaner.index import open_index
from executor.test_scale_dedupe import make_docs

# Pieces of a few rows or pairs, so each pair stage runs many tasks on the pool.
containment.PART_ROWS, containment.EMIT_ROWS, containment.SAMPLE_ROWS = 5000, 2000, 300
stages.VERIFY_CHUNK = 400
import cleaner.dedupe.candidates as candidates
import cleaner.dedupe.verified as verified
calls = []
for module, name in ((candidates, "band_pairs_parallel"), (verified, "verify_codes")):
    def call(*args, _real=getattr(module, name), _name=name, **kwargs):
        if kwargs.get("workers", args[-1]) > 1:  # ran on a pool (verify_codes: or here)
            calls.append(_name)
        return _real(*args, **kwargs)
    setattr(module, name, call)
rendered = []
real_map = lines.ordered_map
def ordered_map(fn, tasks, workers, **kwargs):
    tasks = list(tasks)
    rendered.append([workers, len(tasks)])
    return real_map(fn, tasks, workers, **kwargs)
lines.ordered_map = ordered_map
lines.MEMBERS_PER_CHUNK = 200  # the clusters' JSON lines in many tasks
docs = make_docs()
out = {}
for workers in (1, 2):
    for key, options in (("near", {}), ("reuse", {"mode": "reuse", "scope": "across"})):
        r = dedupe(docs, workers=workers, **options)
        stats = {k: v for k, v in r.stats.items() if k != "seconds"}
        jsonl = clusters_to_jsonl(r)
        on_pool = b"".join(lines.iter_jsonl(r, workers)).decode("utf-8")
        out[f"{key}-{workers}"] = [jsonl, sorted(r.dropped_ids()), stats, on_pool == jsonl]
    index = open_index("memory:")
    dedupe(docs[:350], index=index, workers=workers)
    r = dedupe(docs[350:], index=index, workers=workers)
    matched = r.stats["index_matches"]
    jsonl = clusters_to_jsonl(r)
    on_pool = b"".join(lines.iter_jsonl(r, workers)).decode("utf-8")
    out[f"index-{workers}"] = [jsonl, sorted(r.dropped_ids()), matched, on_pool == jsonl]
out["calls"] = calls
out["rendered"] = rendered
print(json.dumps(out))
"""


def test_pair_stages_on_two_workers_give_the_one_process_result():
    stdout = run_script(PAIR_STAGES_SCRIPT)
    out = json.loads(stdout)
    # Each run with two workers used the band shuffle and the chunked verification (every
    # member joins its centre by a verified pair: nothing is counted afterwards).
    stages = ["band_pairs_parallel", "verify_codes"]
    assert set(out["calls"]) == set(stages)
    assert out["calls"].count("band_pairs_parallel") == 4  # once a run
    assert out["calls"].count("verify_codes") >= 4  # once a run and disjoint array of candidates
    for key in ("near", "reuse", "index"):
        assert out[f"{key}-1"][0], key  # clusters were found
        assert out[f"{key}-1"] == out[f"{key}-2"], key
    # The JSON lines written in chunks, by the pool for the near clusters (a table; the
    # others are objects, written here) are those of clusters_to_jsonl.
    assert out["near-2"][3] and out["reuse-2"][3] and out["index-2"][3]
    ((workers, tasks),) = out["rendered"]
    assert workers == 2 and tasks > 3
    assert out["near-1"][2]["candidates"] > 5 * 400  # verified in several chunks
    assert out["index-1"][2] > 0  # matched against the index


def test_workers_below_one_is_an_error(docs):
    from cleaner.errors import CleanerError

    with pytest.raises(CleanerError, match="workers 0"):
        dedupe(docs[:3], workers=0)
