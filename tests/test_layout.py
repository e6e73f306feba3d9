"""The repository as a newcomer meets it: importable from a clone of any name, packaged whole, set up as the README says."""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib

import partnerwise
from conftest import ROOT


def test_the_root_package_imports_under_any_folder_name():
    # A test runner imports the repository's __init__.py under the name of the folder it was cloned
    # into; GitHub's zip download names it partnerwise-main, which is not a valid package name.
    spec = importlib.util.spec_from_file_location("partnerwise-main", ROOT / "__init__.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    assert module.assess_file is partnerwise.assess_file


def _shipped_folders():
    """Package names of every folder under a shipped package that holds files."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {"partnerwise." + p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name != "tests"}
    for name in (n for n in listed if "." in n):  # the root package's own folders are the repository
        folder = ROOT.joinpath(*name.split(".")[1:])
        for sub in folder.rglob("*"):
            if sub.is_dir() and sub.name != "__pycache__" and any(p.is_file() for p in sub.iterdir()):
                found.add("partnerwise." + ".".join(sub.relative_to(ROOT).parts))
    return listed, found


def test_every_folder_that_ships_files_is_listed_as_a_package():
    listed, found = _shipped_folders()
    assert found <= listed, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(found - listed)}"


def test_readme_and_make_run_agree_on_how_to_reach_the_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert ". .venv/bin/activate" in readme
    assert re.search(r'echo "\s*\. \.venv/bin/activate"', makefile)
    # After that line the README writes the command bare, never through the virtual environment's path.
    after = readme.split(". .venv/bin/activate", 1)[1]
    assert not re.search(r"^\$ \.venv/bin/partnerwise", after, re.M)
