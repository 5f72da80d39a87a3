"""A bad rule file fails with the file, the line, the rule id and the reason."""

from __future__ import annotations

import pytest

from cleaner.rules import Rulebook, RuleError, load_file

HEADER = "name: site-x\nscope: global\nrules:\n"


def _write(tmp_path, body: str):
    path = tmp_path / "bad.yaml"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def _error(tmp_path, body: str) -> RuleError:
    with pytest.raises(RuleError) as info:
        load_file(_write(tmp_path, body))
    return info.value


GOOD = """  - id: ok
    kind: line
    category: navigation
    description: fine
    match: [menu]
    drop: [menu]
    keep: [lunch]
"""


def test_good_file_loads(tmp_path):
    rs = load_file(_write(tmp_path, GOOD))
    assert [r.id for r in rs.rules] == ["site-x/ok"]
    assert rs.rules[0].line == 4


def test_invalid_pattern_names_file_line_and_rule(tmp_path):
    err = _error(
        tmp_path,
        GOOD + "  - id: broken\n    kind: pattern\n    category: navigation\n"
        "    description: d\n    pattern: '([a'\n    drop: [a]\n    keep: [b]\n",
    )
    assert err.file.endswith("bad.yaml") and err.line == 11 and err.rule_id == "broken"
    assert "invalid regular expression" in str(err)
    assert str(err).startswith(f"{err.file}:11: rule 'broken':")


def test_unknown_kind(tmp_path):
    err = _error(tmp_path, GOOD.replace("kind: line", "kind: magic"))
    assert err.rule_id == "ok" and "unknown kind 'magic'" in err.reason


def test_unknown_category(tmp_path):
    err = _error(tmp_path, GOOD.replace("navigation", "misc"))
    assert "unknown category 'misc'" in err.reason


def test_missing_field(tmp_path):
    err = _error(tmp_path, GOOD.replace("    match: [menu]\n", ""))
    assert "missing field 'match'" in err.reason and err.line == 4


def test_share_out_of_range(tmp_path):
    body = GOOD.replace("kind: line", "kind: near-repeat").replace(
        "    match: [menu]\n", "    containment: 1.5\n"
    )
    err = _error(tmp_path, body)
    assert "field 'containment' must be a number in (0, 1]" in err.reason
    err = _error(tmp_path, body.replace("containment: 1.5", "gap_containment: 0"))
    assert "field 'gap_containment' must be a number in (0, 1]" in err.reason


def test_missing_description(tmp_path):
    err = _error(tmp_path, GOOD.replace("    description: fine\n", ""))
    assert "missing 'description'" in err.reason


def test_rule_needs_drop_and_keep_examples(tmp_path):
    assert "dropped" in _error(tmp_path, GOOD.replace("    drop: [menu]\n", "")).reason
    assert "kept" in _error(tmp_path, GOOD.replace("    keep: [lunch]\n", "")).reason


def test_unknown_field_is_an_error_not_ignored(tmp_path):
    err = _error(tmp_path, GOOD + "    patern: 'x'\n")
    assert "unknown field(s) ['patern']" in err.reason


def test_duplicate_rule_id(tmp_path):
    err = _error(tmp_path, GOOD + GOOD)
    assert "duplicate rule id" in err.reason and err.line == 11


def test_invalid_yaml_names_line(tmp_path):
    err = _error(tmp_path, "  - id: ok\n\tkind: line\n")
    assert err.line == 5 and "not valid YAML" in err.reason


def test_site_file_needs_domains_or_signatures(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: s\nscope: site\nrules:\n" + GOOD, encoding="utf-8")
    with pytest.raises(RuleError, match="needs 'domains' or 'signatures'"):
        load_file(path)


def test_duplicate_ruleset_name_across_folders(tmp_path):
    (tmp_path / "fa.yaml").write_text(
        "name: fa\nscope: lang\nlangs: [fa]\nrules:\n" + GOOD, encoding="utf-8"
    )
    with pytest.raises(RuleError, match="already used"):
        Rulebook.load([tmp_path])


def test_a_yes_no_field_given_a_string_is_refused(tmp_path):
    """``last_line: "no"`` would be a non-empty string, read as yes by ``bool``."""
    body = (
        "  - id: tail-cut\n    kind: cut\n    category: caption\n    description: d\n"
        "    at: end\n    last_line: \"no\"\n    pattern: '\\s+x$'\n"
    )
    err = _error(tmp_path, body)
    assert err.line == 4 and err.rule_id == "tail-cut"
    assert "field 'last_line' must be true or false" in err.reason


LISTED = """name: site-x
scope: global
lists:
  places: ["مكة", "مكة المكرمة", "a.b"]
rules:
  - id: place-line
    kind: pattern
    category: byline
    description: a place alone
    pattern: '^({{places}})$'
    drop: ["مكة المكرمة", "a.b"]
    keep: ["axb"]
"""


def test_a_files_list_stands_in_a_pattern_longest_first_and_literal(tmp_path):
    path = tmp_path / "listed.yaml"
    path.write_text(LISTED, encoding="utf-8")
    rx = load_file(path).rules[0].params["regex"]
    assert rx.match("مكة المكرمة").group(1) == "مكة المكرمة"  # the longer name whole
    assert rx.match("a.b") and not rx.match("axb")  # a list holds text, not regex


def test_an_unknown_list_names_file_line_and_rule(tmp_path):
    path = tmp_path / "listed.yaml"
    path.write_text(LISTED.replace("{{places}}", "{{cities}}"), encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_file(path)
    err = info.value
    assert err.line == 6 and "unknown list {{cities}}" in str(err) and "places" in str(err)


def test_a_list_must_hold_strings(tmp_path):
    path = tmp_path / "listed.yaml"
    path.write_text(LISTED.replace('["مكة", "مكة المكرمة", "a.b"]', "[1, 2]"), encoding="utf-8")
    with pytest.raises(RuleError, match="lists.places"):
        load_file(path)
