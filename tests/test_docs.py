"""The documentation tells the truth: the schema file is current, the README's examples run."""

import json
import re

import yaml

from conftest import ROOT
from partnerwise.facts.loader import validate_partnership


def test_schema_file_is_current(cli):
    assert json.loads(cli("schema").output) == json.loads((ROOT / "docs" / "partnership.schema.json").read_text())


def test_readme_fact_file_example_is_valid_and_assessable():
    from partnerwise import assess

    text = (ROOT / "README.md").read_text()
    block = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    p = validate_partnership(yaml.safe_load(block), "README.md")
    result = assess(p)
    assert result.items and result.items[0].kind == "diagnosis" and result.items[0].severity in ("critical", "high")


def test_readme_opens_with_the_two_commands():
    head = (ROOT / "README.md").read_text().split("## ")[0]
    assert "make run" in head and "make test" in head


def test_documented_coercions_hold():
    p = validate_partnership({"name": "X", "secretariat": {"exists": "yes", "neutral": "off"}, "resources": {"total_budget": "60"}}, "t")
    assert p.secretariat.exists is True and p.secretariat.neutral is False and p.resources.total_budget == 60


def test_readme_example_output_is_real(cli):
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```console\n(.*?)```", text, re.S).group(1).splitlines()
    command = block[0].split("partnerwise ", 1)[1].split()
    actual = cli(*[ROOT / a if a.startswith("examples/") else a for a in command]).stdout.splitlines()
    position = 0
    for line in block[1:]:
        if line == "...":
            continue
        assert line in actual[position:], f"README shows a line the command no longer prints: {line!r}"
        position = actual.index(line, position) + 1


def test_every_command_has_help_and_is_in_the_readme(cli):
    import click

    from partnerwise.cli import main

    readme = (ROOT / "README.md").read_text()

    def walk(group, prefix):
        for name, command in group.commands.items():
            path = prefix + [name]
            if isinstance(command, click.Group):
                yield from walk(command, path)
            else:
                yield path, command

    commands = list(walk(main, []))
    assert len(commands) >= 8
    for path, command in commands:
        assert (command.help or "").strip(), f"{' '.join(path)} has no help"
        assert cli(*path, "--help").exit_code == 0
        assert f"`partnerwise {' '.join(path)}" in readme, f"README does not document 'partnerwise {' '.join(path)}'"


def _schema_words() -> tuple[set, set]:
    """Every field name the schema knows (at any depth) and every value its enums allow."""
    schema = json.loads((ROOT / "docs" / "partnership.schema.json").read_text())
    names, values = set(schema["properties"]), {"true", "false"}
    for definition in schema["$defs"].values():
        names |= set(definition.get("properties", {}))
        values |= {str(v) for v in definition.get("enum", [])}
    return names, values


def test_the_fact_writing_guide_names_only_fields_and_values_that_exist():
    from partnerwise.facts.derive import FACTS

    text = (ROOT / "docs" / "writing-facts.md").read_text()
    names, values = _schema_words()
    checked = 0
    for span in re.findall(r"`([^`\n]+)`", text):
        if span.startswith(("partnerwise", "- {", "YYYY")) or " " in span.split(":")[0]:
            continue
        name, _, value = (part.strip() for part in span.partition(":"))
        if "." in name:
            listed = name.split(".")[0] in names and name.rsplit(".", 1)[1] in names  # a list field, such as risk.setbacks
            assert (name in FACTS and not FACTS[name].computed) or listed, f"the guide names {name!r}, which is no fact"
            if value and not value.startswith("<") and "..." not in value:
                doc: dict = {"name": "Guide"}
                *path, last = name.split(".")
                node = doc
                for key in path:
                    node = node.setdefault(key, {})
                node[last] = yaml.safe_load(value)
                validate_partnership(doc, "docs/writing-facts.md")
        elif value and name in ("kind", "as_of", "phase"):
            validate_partnership({"name": "Guide", name: yaml.safe_load(value)}, "docs/writing-facts.md")
        else:
            assert name in names or name in values, f"the guide names {span!r}, which the fact model does not know"
        checked += 1
    assert checked > 80
