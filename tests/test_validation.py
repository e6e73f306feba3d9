"""How good is the advice: the validation set of real partnerships keeps its figures (validation/README.md).

These are floors: a change of rules that finds fewer of the evaluators' problems among the first
five findings, breaches a guard, alarms a healthy partnership or repeats a problem at the top fails
here. Raise them when the advice gets better.
"""

import importlib.util
from pathlib import Path

import pytest

from partnerwise.facts.loader import load_partnership

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("validation_score", ROOT / "validation" / "score.py")
score = importlib.util.module_from_spec(spec)
spec.loader.exec_module(score)


@pytest.fixture(scope="module")
def figures():
    return score.score(ROOT / "validation")


def test_every_case_is_scored(figures):
    rows, totals = figures
    assert totals["inputs"] == len(list((ROOT / "validation" / "facts").glob("*.yaml"))) >= 438
    kinds = {r["kind"] for r in rows}
    assert kinds >= {"contractual_ppp", "global_platform", "alliance", "bilateral", "government_programme", "city_regional"}
    assert sum(1 for r in rows if r["verdict"] == "healthy") >= 4


def test_the_evaluators_problems_are_among_the_first_five_findings(figures):
    _, totals = figures
    assert totals["found_top5"] >= 1763, totals
    assert totals["found_anywhere"] >= 1908, totals
    assert totals["found_top5_strict"] >= 678, totals


def test_the_evaluators_next_phase_actions_are_asked_for(figures):
    # An action counts when a first-five finding or a next-phase criterion not yet met cites its ids.
    rows, totals = figures
    assert totals["actions_covered"] >= 1927, totals
    assert totals["actions"] == sum(len(r["actions"]) for r in rows) >= 2352


# Known false alarms, each explained in validation/README.md; any other breach or alarm fails.
# 60: a city partnership of separate non-profits with no written agreement gets that finding at
# medium (the sources ask for one; its evaluators did not count it). 63, 86: healthy partnerships
# scored as they came, given high findings their evaluators weighed as medium (86, a solar power
# concession: harm to villagers' pasture and no independent monitor, scored after the calibrations
# and left as it came; its tariff gap, which the state covers, is medium since a revenue gap someone
# already pays for is). 65: "the people affected are not involved" at high in a PPP, where the guard
# allows medium. 115: a healthy bank-charities partnership, scored as it came: one funder while the
# people served had no say in decisions (its file, written before each partner could say whether it
# decides, cannot tell who was left out), and "no secretariat" at high for what its fact writer
# wrote as an alliance. 121: a healthy global platform whose members fund the secretariat that rates
# their aid, given "the partnership judges organisations that pay for it" at high. 126: a healthy
# company-UN agency partnership whose file lets one failed refugee-camp programme stand for the
# whole. 133: a healthy crop-diversity trust whose file reads an endowment's income as revenue short
# of costs. 138: a doctors' body's deal with a soft-drink maker, "money raised again and again"
# where a guard rules out a shortage of money (the finding also matches its dependence on the
# renewals). 139: the Fair Labor Association's "no evaluation" where a guard rules out saying there
# was no monitoring. 149: a healthy water platform in Mongolia, "government lacks the capacity to
# play its role" at high (the ministry signed its agreement), a weakness the platform was helping
# the ministry mend. (152, the healthy Measles Initiative, was alarmed by "financing for the current
# phase is not secured" at high for a funding gap in its further-development phase; that finding is
# medium there unless a funder has withdrawn.) 157: Aguas de Cartagena, "the poorest are not
# reached" at medium where its guard allows low. 170: "depends mainly on one funder" at medium where
# its guard allows low (anonymous donors paying a scholarship in full). 171: a cocoa programme,
# "monitoring counts outputs" at high at its close (its evaluators: medium; the companies'
# co-investment, 58%, is low as one funder since an investor's capital reads as bound to the work).
# (178, 243, 284 and 342 had "depends mainly on one funder" at medium for a company or foundation
# paying for its two-party partnership; it is low in a bilateral partnership unless the money
# carries conditions or hidden expectations.) 181: "no evaluation" at medium for a port concession
# four months into operation, where its guard allows low. 183: the school beverage guidelines, "no
# evaluation" (low, since results were monitored and published) where its guard rules it out. 185:
# Tanzania's agricultural programme, "funding is spread across several sources" credited as a
# strength where a guard rules out any funding strength (too little national money stood behind the
# donors' basket, and spending lagged). 194: Sidewalk Toronto, "government backs the partnership" as
# a strength where its guard rules that out (the agency lacked the mandate the project needed).
# (200, Autopista Central, was alarmed as it came by "a dispute has escalated" at high for a tariff
# claim before the contract's own conciliation commission; the finding is medium where the partners
# have an agreed way to settle disputes and nothing shows trust or commitments failing.) (203, the
# Healthy Weight Commitment Foundation's calorie pledge, was alarmed as it came by "the partnership
# judges organisations that pay for it" at high; the finding is medium where an independent body
# verifies the results.) 206: Monsanto and Burkina Faso's research institute, "no secretariat" at
# high because its fact writer read the seed partnership as an alliance (the researcher: bilateral).
# (61, the Azito power plant, was alarmed by "government bodies take different stances" at high;
# that finding is medium unless government support is known to be eroding.) 217: Project Last Mile,
# a healthy company-public agency partnership, "the plan rests on baseline data nobody checked" at
# high for missing facility data the work was mending, and "no secretariat" at high because its fact
# writer read it as an alliance (the researcher: bilateral). 218: the healthy Boston Harbor cleanup,
# "trust is breaking down" at critical for siting fights taken to court and federal money below what
# the state sought (written as unmet expectations). 222: Bangalore's airport at its opening, "the
# plan rests on baseline data nobody checked" at critical (forecasts overtaken by traffic; the
# agreement read as disputed since a court ordered it renegotiated on outsiders' petitions); its two
# findings at high on obligations and the contested agreement are medium since the agreement's
# revision clauses are known to work. 233: King's Cross Central, "partners are leaving" at high for
# a state landowner that sold its stake and a housebuilder that left, with a housing grant
# withdrawn. 252: the Sea-to-Sky highway concession, land at stake without consent and organised
# opposition at critical, for a First Nation's agreement signed when most of the work was done
# (written as consent not obtained) and protests five years past (its evaluators: low). (259, the
# Open Government Partnership, and 363, the Gautrain, had "a dispute has escalated" at critical for
# complaints and claims taken through their own procedures; it is medium there unless trust has
# broken down.) 262: Lilly's MDR-TB technology transfer, "a dominant funder holds power" at high for
# the company paying for its own transfer, where a guard allows medium. 267: the International
# Trachoma Initiative, "the secretariat is hosted by a partner" at medium, caught by a guard against
# "no secretariat" worded to catch any finding about a secretariat. (272, the Port of Miami Tunnel,
# was alarmed as it came by "partners are leaving" at high for a lead investor that collapsed before
# financial close and was replaced; the finding is medium where the partnership is known to have
# answered what went wrong effectively.) 316: the Canada Line, organised opposition and harm caused
# at critical for construction that harmed merchants who won damages, beside opponents of the
# project and its form, with revenue short of running costs and no independent monitor at high (its
# evaluators: medium and low). 317: the Bangladesh Sustainability Compact, government backing
# credited as a strength where the government signed and sponsored it but did not deliver. 319:
# Copenhagen's By & Havn, "the plan rests on baseline data nobody checked" at high for metro
# passenger forecasts that fell short in its first decade (its evaluators: medium). 320: Brazil's
# Food Acquisition Programme, "monitoring counts outputs" at high in further development for
# execution data without an impact evaluation (its evaluators: low). 326: the global partnership for
# salt iodization, "no written agreement" at medium for an informal partnership its writers read as
# an alliance, where a guard allows low. 329: Holcim and IUCN, "the people affected are not
# involved" at medium, where a guard allows low. 339: São Paulo's Metro Line 4, harm and organised
# opposition at critical for a station collapse in construction beside a workers' union's opposition
# to the contract (its evaluators: medium and low). 366: IKEA and WWF, "needs new grants" at medium
# for a partnership its funder renews phase by phase (the guard allows low). 368: Hudson Yards, "no
# evaluation" at medium where its writer held the city budget office's reviews as no evaluation.
# 382: DHL and UNDP's airport programme, "the people affected are not involved" at medium for
# disaster victims the programme serves through faster relief (a guard allows low). 387: the Global
# Trachoma Mapping Project, "depends mainly on one funder" at medium for a time-bound project on two
# donors' grants, and "the people affected are not involved" at medium for the people its teams
# examined (its guards allow low). 399: Malmö's Western Harbour, "revenues do not cover running
# costs" at critical, its writer holding the expo company's ticket shortfall and bankruptcy as the
# partnership's (its evaluators: medium). 410: Azura-Edo, "the partnership's own work has caused
# harm" at high for farmland taken from communities without title (its evaluators: low). 429: the
# Initiative for Responsible Mining Assurance, "not every partner has access to decisions" at medium
# for the governments that fund it without a seat, where a guard allows low for a finding that
# affected communities are left out. 435: the Maputo port concession, "contracted services have no
# independent regulator or monitor" at high, its transport regulator not yet at work (its
# evaluators: medium, the port having delivered). (408, the New Cairo wastewater plant, and 410 were
# alarmed as they came by "revenues do not cover running costs" at critical and "partners are not
# delivering" at high, each raising the other, for a public buyer behind on what it owed while the
# money for the current phase was secured; both are medium there now.) (371, Lima's airport
# concession, was alarmed as it came by "partners are not delivering" and "a party contests the
# agreement" at high, each raising the other, for a state late with the expansion land and an
# operator asking for a further addendum; both are medium where the agreement's revision clauses
# work.) (423, Uganda's SAGE pilot, was alarmed as it came by "the work would stop if its main
# funder left" at high, its donors' grants ending within the year; a grant running out on schedule
# no longer raises that finding, and its evaluators weighed the dependence as medium.)
KNOWN_BREACHES = {
    "60": [["PHASE-02:medium"]],
    "63": [["CTX-21:high"]],
    "65": [["COOP-12:high"]],
    "86": [["CTX-21:high", "STEER-34:high"]],
    "115": [["STEER-06:high", "STEER-08:high"], ["STEER-06:high"]],
    "121": [["STEER-33:high"]],
    "126": [["CTX-10:high", "STRAT-38:high", "CTX-22:high"]],
    "133": [["STEER-40:high"]],
    "138": [["STEER-46:medium"]],
    "139": [["MEL-06:medium"]],
    "149": [["CTX-25:high"]],
    "157": [["STRAT-40:medium"]],
    "170": [["STEER-05:medium"]],
    "171": [["MEL-13:high"]],
    "181": [["MEL-06:medium"]],
    "183": [["MEL-06:low"]],
    "185": [["STEER-29:strength"]],
    "194": [["CTX-15:strength"]],
    "206": [["STEER-08:high"]],
    "217": [["STRAT-25:high", "STEER-08:high"]],
    "218": [["COOP-03:critical", "COOP-20:critical"]],
    "222": [["STRAT-25:critical"]],
    "233": [["STRAT-31:high"]],
    "252": [["CTX-17:critical", "CTX-20:critical"]],
    "262": [["STEER-06:high"]],
    "267": [["STEER-43:medium"]],
    "316": [["CTX-17:critical", "STEER-40:high", "STEER-34:high", "CTX-21:critical"]],
    "317": [["CTX-15:strength"]],
    "319": [["STRAT-25:high"]],
    "320": [["MEL-13:high"]],
    "326": [["PHASE-02:medium"]],
    "329": [["PHASE-12:medium"]],
    "339": [["CTX-17:critical", "CTX-21:critical"]],
    "366": [["STEER-46:medium"]],
    "368": [["MEL-06:medium"]],
    "382": [["COOP-12:medium", "PHASE-12:medium"]],
    "387": [["STEER-05:medium"], ["COOP-12:medium"]],
    "399": [["STEER-40:critical"]],
    "410": [["CTX-21:high"]],
    "429": [["STEER-13:medium"]],
    "435": [["STEER-34:high"]],
}


def test_no_alarm_for_healthy_partnerships_and_no_new_breach(figures):
    rows, totals = figures
    alarmed = sorted(r["input"] for r in rows if r["alarmed"])
    assert alarmed == ["115", "121", "126", "133", "149", "171", "217", "218", "222", "233", "252", "316", "319", "320", "339", "399", "410", "435", "63", "86"], alarmed
    breaches = {r["input"]: [b["by"] for b in r["breaches"]] for r in rows if r["breaches"]}
    assert breaches == KNOWN_BREACHES, breaches


def test_the_first_findings_are_different_problems(figures):
    _, totals = figures
    assert totals["top5_not_distinct"] == 0


def test_first_model_files_hold_only_the_first_models_fields():
    # Each file in validation/first-model/ stands for a file written before the model grew: nothing
    # in it may need a field added since; each has a case with the same number, and every case has one.
    fields = score.first_model_fields()
    files = sorted((ROOT / "validation" / "first-model").glob("*.yaml"))
    assert len(files) == len(list((ROOT / "validation" / "facts").glob("*.yaml"))) >= 438
    for path in files:
        data = load_partnership(path).model_dump(exclude_none=True, mode="json")
        assert score.strip_to_first_model(data, fields) == data, path.name
        assert (ROOT / "validation" / "facts" / path.name).exists(), path.name


def test_files_written_in_the_first_fact_model():
    # The same cases' text written afresh with only the first fact model's fields, as files written
    # before the model grew are: the nearest this set comes to such files.
    rows, totals = score.score(ROOT / "validation", facts="first-model")
    assert totals["inputs"] >= 438, totals
    assert totals["found_top5"] >= 1249, totals
    assert totals["actions_covered"] >= 1684, totals
    assert totals["breaches"] <= 54, totals
    # 59: Thailand's Universal Coverage Scheme, "no agreed way to resolve disputes" at high for the
    # open disagreements between its government bodies; 163: Thailand's 100% Condom Programme,
    # "not every partner has access to decisions" at high because its writer read the owners'
    # cooperation under sanctions as unequal terms; 218: the Boston Harbor cleanup, "a dominant funder
    # holds power" at high for its own revenue bonds, held as a loan of 90%; 222: Bangalore's airport,
    # "unmet expectations are wearing down trust" and "a dominant funder holds power" (its banks' loans);
    # 170: the Kalamazoo Promise, "a dominant funder holds power" at high for the anonymous donors who pay
    # the whole scholarship; 171: a cocoa programme whose writer held effects not yet measured as no
    # evidence of results, read as planning and scaling without evidence at high; 80: Walmart and EDF,
    # the NGO's public criticism held as open disagreements and unmet expectations (as in its stripped file);
    # 107: the Medicines Patent Pool, the same reading of civil society's criticism of the pool. (128,
    # Ethiopia's Health Extension Programme, was alarmed as it came by "demand not confirmed" at high for
    # communities' early wish for curative care; it is medium where the work shows results with them.)
    # 329: Holcim and IUCN, "no success indicators" and "no results monitoring" at high in further
    # development, its writer holding the missing indicators and site measures as false. 371: Lima's
    # airport concession, "unmet expectations are wearing down trust" at high, its writer holding the
    # state's undelivered land as unmet expectations beside open disagreements over tariffs. 379: the
    # Sydney Desalination Plant, "a dominant funder holds power" at high for the state's own debt through
    # its utility; 382: DHL and UNDP's airport programme, "no evidence of results" at high, its writer
    # holding output counts as no evidence. 387: the Global Trachoma Mapping Project, "a dominant funder
    # holds power" at high for DFID's two-thirds of a time-bound grant. 399: Malmö's Western Harbour,
    # "unmet expectations are wearing down trust" at high, its writer holding the expo company's unpaid
    # creditors as unmet expectations beside open disagreements.
    assert sorted(r["input"] for r in rows if r["alarmed"]) == ["107", "163", "170", "171", "218", "222", "329", "371", "379", "382", "387", "399", "59", "80"]


def test_files_of_the_first_fact_model_still_get_advice():
    rows, totals = score.score(ROOT / "validation", first_model=True)
    assert totals["found_top5"] >= 953, totals
    assert totals["actions_covered"] >= 1621, totals
    # "no secretariat" is low where the kind is unknown and a ministry's unit running a programme
    # government sponsors is not faulted as partial: on the first 137 cases, 27 breaches fell to 6.
    # 317 (the Bangladesh Sustainability Compact) added one: government backing credited as a strength;
    # 326 (salt iodization) another: "no written agreement" at medium for an informal partnership;
    # 342 (GSK and CARE) and 344 (the Central Park Conservancy) "depends mainly on one funder" at medium;
    # 368 (Hudson Yards) "no evaluation" where its writer held the budget office's reviews as none;
    # 382 (DHL and UNDP's airport programme) "the people affected are not involved" at medium; 387
    # (the trachoma mapping project) that and "depends mainly on one funder" at medium.
    assert totals["breaches"] <= 25, totals
    # 80: Walmart and EDF, whose open disagreements are known to have stayed between the two; the
    # first fact model cannot say so, and unmet expectations with open disagreements read high there.
    assert sorted(r["input"] for r in rows if r["alarmed"]) == ["115", "126", "80"]
