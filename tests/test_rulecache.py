"""The per-user cache of parsed rule files: used when safe, keyed by content, data only, never a cause of failure."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from partnerwise.engine import rulebase as rb_module
from partnerwise.engine import rulecache
from partnerwise.engine.rulebase import BUILTIN_DIR, load_rulebase


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("PARTNERWISE_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def parses(monkeypatch):
    """How many files were parsed from YAML (not taken from the cache)."""
    count = []
    real = rb_module.load_yaml_file

    def counting(path):
        count.append(path)
        return real(path)

    monkeypatch.setattr(rb_module, "load_yaml_file", counting)
    return count


def _summary(rb):
    return [(r.id, r.rule.model_dump(), r.path) for r in rb.rules], sorted(rb.sources)


def test_a_second_load_reads_no_yaml_and_gives_the_same_rule_base(cache, parses):
    first = load_rulebase()
    assert len(parses) > 100
    assert (cache / rulecache.FILE_NAME).exists()
    assert oct(cache.stat().st_mode & 0o777) == "0o700"
    doc = json.loads((cache / rulecache.FILE_NAME).read_text())  # plain JSON data
    assert doc["format"] == rulecache.FORMAT
    parses.clear()
    second = load_rulebase()
    assert parses == []
    assert _summary(second) == _summary(first)


def test_a_changed_rule_file_is_read_again(cache, parses, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(BUILTIN_DIR, rules)
    load_rulebase([rules])
    target = next(rules.rglob("STEER-01.yaml"))
    target.write_text(target.read_text().replace("title:", "title: Changed -", 1))
    parses.clear()
    rb = load_rulebase([rules])
    assert parses == [target]
    assert rb.by_id["STEER-01"].rule.title.startswith("Changed -")


@pytest.mark.parametrize("unsafe", ["folder-writable-by-others", "file-writable-by-others", "not-json", "a-link"])
def test_an_unsafe_or_broken_cache_is_passed_over_without_a_word(cache, parses, unsafe, tmp_path):
    load_rulebase()
    path = cache / rulecache.FILE_NAME
    if unsafe == "folder-writable-by-others":
        cache.chmod(0o777)
    elif unsafe == "file-writable-by-others":
        path.chmod(0o666)
    elif unsafe == "not-json":
        path.write_bytes(b"\x80\x04 not json")
    else:
        elsewhere = tmp_path / "elsewhere.json"
        path.rename(elsewhere)
        path.symlink_to(elsewhere)
    parses.clear()
    rb = load_rulebase()
    assert len(parses) > 100 and len(rb.rules) > 100


def test_a_cache_owned_by_another_user_is_passed_over(cache, parses):
    if os.getuid() != 0:
        pytest.skip("giving a file to another user needs root")
    load_rulebase()
    os.chown(cache / rulecache.FILE_NAME, 65534, 65534)
    parses.clear()
    load_rulebase()
    assert len(parses) > 100


def test_the_cache_can_be_turned_off(monkeypatch, parses, tmp_path):
    monkeypatch.setenv("PARTNERWISE_CACHE_DIR", "off")
    monkeypatch.setenv("HOME", str(tmp_path))
    load_rulebase()
    parses.clear()
    load_rulebase()
    assert len(parses) > 100 and list(tmp_path.iterdir()) == []


def _compiled(c):
    return (
        c.definition,
        {n: (t.rule.id, t.outcome, t.alternative) for n, t in c.targets.items()},
        c.reads,
        c.known,
        c.finding_refs,
    )


def test_a_compiled_rule_base_is_taken_from_the_cache_exactly_as_compiled(cache, monkeypatch):
    from partnerwise.engine import compiler

    rb = load_rulebase()
    fresh = compiler.compile_cached(rb)
    assert (cache / compiler.COMPILED_FILE).exists()
    calls = []
    real = compiler.compile_rulebase
    monkeypatch.setattr(compiler, "compile_rulebase", lambda b: calls.append(b) or real(b))
    again = compiler.compile_cached(rb)
    assert calls == []  # taken from the cache
    assert _compiled(again) == _compiled(fresh) == _compiled(real(rb))


@pytest.mark.parametrize("content", [b"not json", b'{"format": "partnerwise-compiled-1", "entries": {"x": 1}}', b"[]"])
def test_a_broken_compiled_cache_means_compiling_afresh(cache, content):
    from partnerwise.engine import compiler

    rb = load_rulebase()
    expected = _compiled(compiler.compile_rulebase(rb))
    cache.mkdir(mode=0o700, exist_ok=True)
    (cache / compiler.COMPILED_FILE).write_bytes(content)
    assert _compiled(compiler.compile_cached(rb)) == expected


def test_a_changed_condition_is_compiled_afresh(cache, tmp_path):
    from partnerwise.engine import compiler

    rules = tmp_path / "rules"
    shutil.copytree(BUILTIN_DIR, rules)
    before = _compiled(compiler.compile_cached(load_rulebase([rules], builtin=False, sources_path=rules / "sources.yaml")))
    target = next(rules.rglob("STEER-08.yaml"))
    target.write_text(target.read_text().replace("when: secretariat.exists == false", "when: secretariat.exists == true", 1))
    rb = load_rulebase([rules], builtin=False, sources_path=rules / "sources.yaml")
    after = _compiled(compiler.compile_cached(rb))
    assert after != before and after == _compiled(compiler.compile_rulebase(rb))


def test_rule_files_checked_before_are_trusted_and_give_the_same_rules(cache, monkeypatch):
    first = load_rulebase()
    validations = []
    real = rb_module.Rule.model_validate
    monkeypatch.setattr(rb_module.Rule, "model_validate", lambda data: validations.append(data) or real(data))
    second = load_rulebase()
    assert validations == []  # every file was checked by this code before: constructed, not validated
    assert _summary(second) == _summary(first)
    assert [(r.condition, r.unless, r.escalations) for r in second.rules] == [
        (r.condition, r.unless, r.escalations) for r in first.rules
    ]


def test_a_rule_file_checked_by_other_code_is_checked_again(cache, monkeypatch):
    load_rulebase()
    monkeypatch.setattr(rb_module, "CHECKS", "other-code")
    validations = []
    real = rb_module.Rule.model_validate
    monkeypatch.setattr(rb_module.Rule, "model_validate", lambda data: validations.append(data) or real(data))
    load_rulebase()
    assert len(validations) > 100
