"""Names vulture (dead-code check in scripts/test) reports unused, and why each stays.

A name used only by tests is not listed here: it is removed with its tests. What is listed
is reached another way (a decorator, an attribute a library reads), or is public API that
the docs name or that tests use as the reference a vectorised path must match.
"""

# Reached without a call the checker can see.
__getattr__  # cleaner/__init__: module attributes load lazily (PEP 562)
__dir__  # cleaner/__init__: dir(cleaner) lists the lazy exports
dedupe_cmd  # click commands, registered by their decorators or named in cleaner.cli._LazyGroup
clean_cmd
check_cmd
update_cmd
list_cmd
test_cmd
exit_code  # click.ClickException reads it (RunError: exit 1)
monitor_interval  # tqdm reads it (progress bars start no monitor thread)
rescrapes  # TemplateIndex: documents counted before (the store's batches), a result field

# Public API: named in the docs, or the reference a vectorised path is tested against.
anchor_pairs  # containment: the rule on (owner, key) rows, reference of candidates_of_rows
to_lean  # dedupe.minhash: a signature as datasketch's LeanMinHash (docs/scaling.md)
anchor_owner  # Prepared: the material's anchors as rows (tests, bench)
anchor_key
is_near  # dedupe.verify: the verdict of one pair, reference of verify_counts
verify_pairs  # dedupe.verify: verdicts and similarities of arrays of pairs
dedupe_on  # executor.base: dedupe with an engine's material (library API, doctested)
sign  # decode: the mojibake sign as a regex, reference of the vectorised signs()
label_lines  # pipeline.run: the rules stage alone (bench/bench_clean.py)
build  # TemplateIndex.build: an index from (source, keys) pairs (library API, tests)
_stage_example  # pool: the doctest of stage()
PHASES  # rules.kinds: the phases by name, for the docs
