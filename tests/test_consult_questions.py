"""Reading what a person types: one field, a checklist, the funders with their shares, a line of a table."""

from __future__ import annotations

from pathlib import Path

import pytest

from partnerwise import api
from partnerwise.consult import answers, interview, session
from partnerwise.consult.answers import AnswerError
from partnerwise.consult.keys import get_value
from partnerwise.consult.questions import Part, parse_checklist, topic_of, typed_answer
from partnerwise.consult.interview import checklist_part, value_part

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

BUILTIN = api.default_assessor()
COVERS = [f"agreement.covers.{k}" for k in ("roles", "responsibilities", "resources", "decision_rules")]


@pytest.mark.parametrize(
    "template,text,expected",
    [
        ("strategy.common_objectives", "Yes", True),
        ("funders[].share", "35%", 35.0),
        ("secretariat.staff", "3", 3),
        ("phase", "further development", "further_development"),
        ("partners[].contributions", "funding, staff", ["funding", "staff"]),
        ("partners[].contributions", "none", []),
        ("partners", "A, Ltd; B", ["A, Ltd", "B"]),
        ("started", "2021-03-15", "2021-03-15"),
    ],
)
def test_answers_are_parsed_by_type(template, text, expected):
    assert answers.parse_answer(answers.field_spec(template), text) == expected


@pytest.mark.parametrize("template,text", [("secretariat.staff", "2.5"), ("partners[].ratings.trust", "6"), ("phase", "x"), ("started", "soon")])
def test_bad_answers_say_what_is_expected(template, text):
    with pytest.raises(AnswerError, match="Please|out of range"):
        answers.parse_answer(answers.field_spec(template), text)


@pytest.mark.parametrize(
    "text,values,unknown",
    [
        ("1, 3", {"roles": True, "responsibilities": False, "resources": True, "decision_rules": False}, []),
        ("all, -2, ?4", {"roles": True, "responsibilities": False, "resources": True}, ["decision_rules"]),
        ("none", {"roles": False, "responsibilities": False, "resources": False, "decision_rules": False}, []),
        ("unknown", {}, ["roles", "responsibilities", "resources", "decision_rules"]),
        ("roles ?resources", {"roles": True, "responsibilities": False, "decision_rules": False}, ["resources"]),
    ],
)
def test_a_checklist_is_one_multiple_choice(text, values, unknown):
    got, closed = parse_checklist(COVERS, text)
    assert got == {f"agreement.covers.{k}": v for k, v in values.items()}
    assert closed == [f"agreement.covers.{k}" for k in unknown]


@pytest.mark.parametrize("text", ["5", "1, x", "all, -9"])
def test_a_checklist_answer_out_of_range_is_asked_again(text):
    with pytest.raises(AnswerError, match="numbers from 1 to 4"):
        parse_checklist(COVERS, text)


def test_funders_come_with_their_shares():
    part = Part("list", "funders", ["funders"], "", with_shares=True)
    values, closed = part.parse("Big Co: 60; City of Port: Fund: 25%; Small Trust: unknown; Other")
    assert values == {"funders": [{"name": "Big Co", "share": 60.0}, {"name": "City of Port: Fund", "share": 25.0},
                                  {"name": "Small Trust"}, {"name": "Other"}]}
    assert closed == ["funders[2].share"]  # a share said to be unknown is not asked again; one left out may be
    with pytest.raises(AnswerError, match="^Big Co: Please give a number from 0 to 100"):
        part.parse("Big Co: lots")


def test_a_line_of_a_table_answers_each_field_in_order():
    c = interview.Consultation(BUILTIN, {"name": "T", "partners": [{"name": "Alpha"}]})
    keys = [f"partners[0].{f}" for f in ("sector", "contributions", "role_defined", "core_group")]
    part = c._record("partners[0]", keys, tuple(k.replace("[0]", "[]") for k in keys))
    assert part.labels() == ["sector", "contributions", "which hold"]
    values, closed = part.parse("business; funding, staff; 2")
    assert values == {"partners[0].sector": "business", "partners[0].contributions": ["funding", "staff"],
                      "partners[0].role_defined": False, "partners[0].core_group": True}
    values, closed = part.parse("unknown; none; ?1, 2")
    assert values == {"partners[0].contributions": [], "partners[0].core_group": True}
    assert closed == ["partners[0].sector", "partners[0].role_defined"]
    with pytest.raises(AnswerError, match="3 answers separated by ';' \\(sector, contributions, which hold\\)"):
        part.parse("business; funding")
    with pytest.raises(AnswerError, match="^sector: Please answer one of"):
        part.parse("bank; funding; 1")


def test_ratings_take_commas_too():
    c = interview.Consultation(BUILTIN, {"name": "T", "partners": [{"name": "Alpha"}]})
    keys = [f"partners[0].ratings.{d}" for d in ("trust", "fairness", "raters")]
    part = c._record("partners[0]", keys, tuple(k.replace("[0]", "[]") for k in keys))
    values, closed = part.parse("4.5, 2, 3")
    assert values == {"partners[0].ratings.trust": 4.5, "partners[0].ratings.fairness": 2.0, "partners[0].ratings.raters": 3}


@pytest.mark.parametrize("example", ["troubled-implementation", "further-development-mature"])
def test_what_a_file_would_answer_reads_back_as_the_file(example):
    """typed_answer is the inverse of parsing: every part of a session, answered from the file, sets what the file holds."""
    data = session.load_data(EXAMPLES / f"{example}.yaml")
    c = interview.Consultation(BUILTIN, {})
    while (prompt := c.next_prompt()) is not None:
        text = typed_answer(prompt.part, data)
        if text == "unknown":
            c.close(prompt)
            continue
        values, closed = prompt.part.parse(text)
        for key, value in values.items():
            if prompt.part.kind == "list":
                assert [x["name"] for x in value] == [x["name"] for x in get_value(data, key)]
            else:
                assert value == get_value(data, key), key
        assert all(get_value(data, key) is None for key in closed)
        c.answer(prompt, text)


def test_every_field_has_a_topic_and_checklists_are_of_one_area():
    assert topic_of("partners[3].ratings.trust").name == "ratings"
    assert topic_of("partners[3].sector").name == "partner-details"
    assert topic_of("funders").name == "funders"
    assert topic_of("secretariat.neutral").name == topic_of("leadership.champion_left").name == "leadership"
    assert topic_of("agreement.covers.roles").name == "agreement"
    part = checklist_part("agreement.covers", COVERS)
    assert part.text == "What the written agreement covers. Which of these hold?"
    assert value_part("trust.level").hint() == "one of: low, medium, high; or unknown"


@pytest.mark.parametrize("name", ["Ünïcode — Partners “quoted”", "a: b # not a comment", "- dash", "tab\there", "line\u2028sep",
                                  "yes", "0123", "emoji 🌾", "'single' and \"double\"", "word " * 38])
def test_what_a_session_writes_reads_back_as_it_was_typed(tmp_path, name):
    """The fact file written after every answer is read by assess exactly as the answers were typed."""
    from partnerwise.facts.loader import load_partnership

    name = name.strip()
    doc = {"name": name, "partners": [{"name": name, "sector": "business"}], "funders": [{"name": name + " 2", "share": 40.5}]}
    path = tmp_path / "f.yaml"
    path.write_text(session.dump_facts(doc), encoding="utf-8")
    p = load_partnership(path)
    assert (p.name, p.partners[0].name, p.funders[0].name, p.funders[0].share) == (name, name, name + " 2", 40.5)
