"""Fact files: loading, errors a person can act on, and quantities that stay unknown when they should."""

import pytest

from partnerwise.facts.derive import FACTS, flatten
from partnerwise.facts.loader import FactError, load_partnership, validate_partnership


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "name, text, fragment",
    [
        ("typo.yaml", "name: X\nsecreteriat:\n  exists: true\n", "line 2: secreteriat: unknown key 'secreteriat'; did you mean 'secretariat'?"),
        ("nested.yaml", "name: X\npartners:\n  - name: A\n    secotr: business\n", "line 4: partners[0].secotr: unknown key 'secotr'; did you mean 'sector'?"),
        ("enum.yaml", "name: X\nphase: implementing\n", "line 2: phase: found 'implementing', expected one of initiation, design, implementation, further_development (did you mean 'implementation'?)"),
        ("share.yaml", "name: X\nfunders:\n  - name: A\n    share: 150\n", "line 4: funders[0].share: found 150, expected at most 100"),
        ("sum.yaml", "name: X\nfunders:\n  - {name: A, share: 60}\n  - {name: B, share: 70}\n", "funders: the funders' shares add up to 130%, expected at most 100%"),
        ("type.yaml", "name: X\nsecretariat:\n  exists: maybe\n", "line 3: secretariat.exists: found 'maybe', expected true or false"),
        ("broken.yaml", "name: [X\n", "not valid YAML"),
        ("empty.yaml", "", "the file is empty"),
        ("list.yaml", "- name: X\n", "expected a mapping of facts about one partnership"),
        ("tag.yaml", "name: !!python/object/apply:os.system ['true']\n", "is not allowed; expected plain data"),
        ("dup.yaml", "name: X\npartners:\n  - {name: A}\n  - {name: a}\n", "partners: the name 'a' appears twice"),
        ("typo.json", '{"name": "X", "trust": {"levle": "low"}}', "line 1: trust.levle: unknown key 'levle'; did you mean 'level'?"),
        ("broken.json", '{"name": "X",\n "phase": }', "line 2: not valid JSON"),
        ("nan.json", '{"name": "X", "resources": {"total_budget": NaN}}', "expected finite numbers"),
        ("facts.txt", "name: X\n", "unknown file type '.txt'"),
    ],
)
def test_errors_name_the_file_line_field_and_what_was_expected(tmp_path, name, text, fragment):
    path = write(tmp_path, name, text)
    with pytest.raises(FactError) as e:
        load_partnership(path)
    message = str(e.value)
    assert message.startswith(str(path) + ":")
    assert fragment in message
    assert "\n" not in message


def test_a_folder_or_missing_file_is_a_clear_error(tmp_path):
    folder = tmp_path / "d.yaml"
    folder.mkdir()
    with pytest.raises(FactError, match="is a folder"):
        load_partnership(folder)
    with pytest.raises(FactError, match="no such file"):
        load_partnership(tmp_path / "missing.yaml")


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: With BOM\n")
    assert load_partnership(path).name == "With BOM"


def test_absent_facts_stay_absent():
    facts = flatten(validate_partnership({"name": "X"}, "t"))
    assert facts == {"name": "X"}
    facts = flatten(validate_partnership({"name": "X", "secretariat": {"exists": False}}, "t"))
    assert facts["secretariat.exists"] is False and "secretariat.neutral" not in facts


def test_largest_share_is_unknown_while_an_unknown_share_could_be_larger():
    p = validate_partnership({"name": "X", "funders": [{"name": "A", "share": 30}, {"name": "B"}]}, "t")
    assert "funding.largest_share" not in flatten(p)
    p = validate_partnership({"name": "X", "funders": [{"name": "A", "share": 60}, {"name": "B"}]}, "t")
    facts = flatten(p)
    assert facts["funding.largest_share"] == 60 and facts["funding.largest_funder"] == "A"
    assert "funding.total_share" not in facts


def test_sector_presence_is_three_valued():
    p = validate_partnership({"name": "X", "partners": [{"name": "A", "sector": "business"}, {"name": "B"}]}, "t")
    facts = flatten(p)
    assert facts["partners.has_business"] is True
    assert "partners.has_government" not in facts  # B's sector is unknown
    p = validate_partnership({"name": "X", "partners": [{"name": "A", "sector": "business"}]}, "t")
    assert flatten(p)["partners.has_government"] is False


def test_results_shown_needs_evidence_that_an_evaluation_or_independent_check_stands_behind():
    def shown(monitoring):
        return flatten(validate_partnership({"name": "X", "monitoring": monitoring}, "t")).get("monitoring.results_shown")

    assert shown({"evidence_of_results": True, "evaluation": True}) is True
    assert shown({"evidence_of_results": True, "evaluation": False, "independent_verification": True}) is True
    assert shown({"evidence_of_results": False, "evaluation": True}) is False
    assert shown({"evidence_of_results": True, "evaluation": False, "independent_verification": False}) is False
    assert shown({"evidence_of_results": True}) is None  # nobody has said who checked it
    assert shown({"evaluation": True}) is None


def test_government_leads_and_pays_when_it_runs_or_sponsors_the_work_and_a_public_budget_pays_most():
    def owns(**facts):
        return flatten(validate_partnership({"name": "X", **facts}, "t")).get("government.leads_and_pays")

    budget = [{"name": "Treasury", "kind": "public_budget", "share": 80}, {"name": "Donor", "kind": "grant", "share": 20}]
    grant = [{"name": "Treasury", "kind": "public_budget", "share": 20}, {"name": "Donor", "kind": "grant", "share": 80}]
    assert owns(kind="government_programme", funders=budget) is True
    assert owns(context={"government_stance": "sponsor"}, funders=budget) is True
    assert owns(kind="government_programme", funders=grant) is False
    assert owns(kind="alliance", context={"government_stance": "endorses"}, funders=budget) is False
    assert owns(kind="alliance", funders=budget) is None  # government might still sponsor it
    assert owns(kind="government_programme") is None  # who pays is unknown


def test_a_host_is_matched_to_the_partner_it_names_in_long_or_short_form():
    def facts(hosted_by, partners, **secretariat):
        p = validate_partnership({"name": "X", "partners": partners,
                                  "secretariat": {"exists": True, "hosted_by": hosted_by, **secretariat}}, "t")
        out = flatten(p)
        return out.get("secretariat.hosted_by_partner"), out.get("secretariat.hosted_by_government")

    ministry = [{"name": "Department of Social Welfare and Development (DSWD), with its regional offices",
                 "sector": "government"}, {"name": "World Bank", "sector": "multilateral"}]
    assert facts("Department of Social Welfare and Development (programme office)", ministry) == (True, True)
    assert facts("DSWD", ministry) == (True, True)
    assert facts("World Bank", ministry) == (True, False)
    assert facts("An independent foundation", ministry) == (None, None)
    # one word is too little to say that a longer partner's name is meant
    assert facts("Department", ministry) == (None, None)
    # what the file states about the host wins over its name
    assert facts("DSWD", ministry, host_is_partner=False) == (False, None)
    # a host whose partner's sector is not given may or may not be government
    assert facts("Ministry of Works", [{"name": "Ministry of Works"}]) == (True, None)


def test_government_leads_by_its_kind_or_by_sponsoring_the_work_and_running_it():
    def leads(**facts):
        return flatten(validate_partnership({"name": "X", **facts}, "t")).get("government.leads")

    run = dict(partners=[{"name": "Ministry of Labour", "sector": "government"}],
               secretariat={"exists": True, "hosted_by": "Ministry of Labour"})
    assert leads(kind="government_programme") is True
    assert leads(kind="alliance", context={"government_stance": "sponsor"}, **run) is False
    assert leads(context={"government_stance": "sponsor"}, **run) is True
    assert leads(context={"government_stance": "endorses"}, **run) is None
    assert leads(context={"government_stance": "sponsor"}) is None
    # Without a secretariat: a sponsored programme whose core group is all government bodies is
    # government's own (a national insurance scheme run by its ministry, districts beside it).
    ministry = {"name": "Ministry of Health", "sector": "government", "core_group": True}
    donor = {"name": "Global Fund", "sector": "multilateral"}
    sponsor = {"government_stance": "sponsor"}
    assert leads(context=sponsor, partners=[ministry, donor], secretariat={"exists": False}) is True
    assert leads(context=sponsor, partners=[ministry, {**donor, "core_group": True}]) is None
    assert leads(context={"government_stance": "endorses"}, partners=[ministry, donor]) is None


def test_the_people_served_without_a_formal_role_are_not_a_gap_in_the_partners_roles():
    # Before: residents listed as partners with "no formal role in the contract" read as a partner whose
    # role is undefined, "roles are not defined" at high, in a hospital PFI and a water concession.
    def roles(partners):
        out = flatten(validate_partnership({"name": "X", "partners": partners}, "t"))
        return out.get("partners.all_roles_defined"), out.get("partners.without_defined_role")

    trust = {"name": "Hospital trust", "sector": "government", "role_defined": True, "core_group": True}
    patients = {"name": "Patients", "sector": "community", "directly_affected": True, "role_defined": False}
    assert roles([trust, patients]) == (True, [])
    # a served group in the core group, or one that brings something, keeps its role; organisations always do
    assert roles([trust, {**patients, "core_group": True}]) == (False, ["Patients"])
    assert roles([trust, {**patients, "contributions": ["network", "staff"]}]) == (False, ["Patients"])
    assert roles([trust, {"name": "Operator", "sector": "business", "role_defined": False}]) == (False, ["Operator"])


def test_who_is_kept_out_of_decisions_is_told_apart_from_the_people_served():
    def facts(partners, **governance):
        data = {"name": "X", "partners": partners}
        if governance:
            data["governance"] = governance
        out = flatten(validate_partnership(data, "t"))
        return (out.get("governance.all_partners_in_decisions"), out.get("governance.organisations_excluded"),
                out.get("governance.affected_excluded"))

    bank, charity = {"name": "Bank", "in_decisions": True}, {"name": "Charity", "in_decisions": True}
    groups = {"name": "Savings groups", "sector": "community", "in_decisions": False}
    assert facts([bank, charity, groups]) == (False, False, True)
    assert facts([bank, {**charity, "in_decisions": False}]) == (False, True, None)
    assert facts([bank, charity]) == (True, False, None)
    # a statement for the whole wins, and without the partners' parts it is all there is to go on
    assert facts([{"name": "Bank"}, {"name": "Charity"}], all_partners_in_decisions=False) == (False, True, None)
    assert facts([{"name": "Bank"}, {"name": "Charity"}], all_partners_in_decisions=True) == (True, False, None)
    # the exclusion stated may be only the served people's: then it is not known to be the charity's
    assert facts([{"name": "Bank"}, {"name": "Charity"}, groups], all_partners_in_decisions=False) == (False, None, True)
    assert facts([{"name": "Bank"}, {"name": "Charity"}]) == (None, None, None)


def test_rating_gaps_name_the_partners():
    p = validate_partnership(
        {
            "name": "X",
            "partners": [
                {"name": "Co-op", "ratings": {"trust": 1.5, "fairness": 3}},
                {"name": "Ministry", "ratings": {"trust": 4.5, "fairness": 3.5}},
            ],
        },
        "t",
    )
    facts = flatten(p)
    assert facts["ratings.trust_gap"] == 3.0
    assert (facts["ratings.trust_lowest"], facts["ratings.trust_highest"]) == ("Co-op", "Ministry")
    assert facts["ratings.largest_gap_dimension"] == "trust"
    assert "ratings.role_clarity_gap" not in facts


def test_every_fact_has_a_question():
    for spec in FACTS.values():
        assert spec.question.endswith("?") or spec.type == "text", spec.name


def test_the_largest_funders_own_transparency_is_its_own_fact():
    p = validate_partnership(
        {"name": "X", "funders": [
            {"name": "Big", "share": 70, "expectations_transparent": True},
            {"name": "Small", "share": 30, "expectations_transparent": False},
        ]},
        "t",
    )
    facts = flatten(p)
    assert facts["funding.largest_funder_transparent"] is True
    assert facts["funding.all_expectations_transparent"] is False
    p = validate_partnership({"name": "X", "funders": [{"name": "Big", "share": 30}, {"name": "Other"}]}, "t")
    assert "funding.largest_funder_transparent" not in flatten(p)


def test_every_problem_of_a_file_is_reported_in_line_order_without_pydantic_wording(tmp_path):
    path = write(tmp_path, "several.yaml", (
        "name: X\n"
        "id: not an id\n"
        "started: 2023-13\n"
        "secretariat:\n"
        "  exists: maybe\n"
        "phase: later\n"
        "description: ''\n"
    ))
    with pytest.raises(FactError) as e:
        load_partnership(path)
    lines = str(e.value).split("\n")
    assert lines == [str(p) for p in e.value.problems]
    assert [p.line for p in e.value.problems] == [2, 3, 5, 6]
    assert [p.field for p in e.value.problems] == ["id", "started", "secretariat.exists", "phase"]
    assert lines[0] == f"{path}: line 2: id: found 'not an id', expected letters, digits, '.', '-' and '_', starting with a letter or digit"
    assert lines[1].startswith(f"{path}: line 3: started: '2023-13' is not a real date; expected YYYY, YYYY-MM or YYYY-MM-DD")
    for line in lines:
        assert line.startswith(f"{path}: line ")
        for raw in ("should", "Input", "pattern", "input is", "more problems"):
            assert raw not in line, line


def test_errors_carry_their_parts_as_attributes(tmp_path):
    path = write(tmp_path, "one.yaml", "name: X\nsecretariat:\n  exists: maybe\n")
    with pytest.raises(FactError) as e:
        load_partnership(path)
    p = e.value.problem
    assert (p.source, p.line, p.field, p.reason) == (str(path), 3, "secretariat.exists", "found 'maybe', expected true or false")


def test_assess_of_a_folder_says_so(tmp_path):
    folder = tmp_path / "portfolio"
    folder.mkdir()
    with pytest.raises(FactError, match=r"is a folder; expected a fact file .*use 'partnerwise audit "):
        load_partnership(folder)
