"""Shared fixtures: a small rule base with a two-step chain, a CLI runner, paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from partnerwise.engine.assessor import Assessor
from partnerwise.engine.rulebase import load_rulebase

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session", autouse=True)
def rule_cache_of_the_suite(tmp_path_factory):
    """The suite's own rule-file cache (for this process and the commands it starts), not the user's."""
    folder = tmp_path_factory.mktemp("rule-cache")
    folder.chmod(0o700)
    previous = os.environ.get("PARTNERWISE_CACHE_DIR")
    os.environ["PARTNERWISE_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        del os.environ["PARTNERWISE_CACHE_DIR"]
    else:
        os.environ["PARTNERWISE_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def chain_rb():
    folder = FIXTURES / "chain"
    return load_rulebase([folder], builtin=False, sources_path=folder / "sources.yaml")


@pytest.fixture(scope="session")
def chain(chain_rb):
    return Assessor.of(chain_rb)


@pytest.fixture
def cli():
    from partnerwise.cli import main

    runner = CliRunner()

    def invoke(*args, **kw):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False, **kw)

    return invoke
