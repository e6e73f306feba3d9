"""The JSON report carries the answer as data: what is wrong, the diagnoses, the concerns, an assumed phase."""

import json

from report_case import answer_case

from partnerwise.render import jsonfmt


def test_the_answer_as_data():
    doc = json.loads(jsonfmt.render([answer_case()]))
    wrong = doc["what_is_wrong"]
    assert [(i["kind"], i["rule"], i["severity"], i["findings"]) for i in wrong["items"]] == [
        ("diagnosis", "D-1", "critical", ["F-1", "F-2"]),
        ("finding", "F-3", "high", ["F-3"]),
        ("finding", "F-4", "high", ["F-4"]),
        ("finding", "F-5", "medium", ["F-5"]),
        ("finding", "F-6", "medium", ["F-6"]),
        ("finding", "F-7", "medium", ["F-7"]),
        ("finding", "F-8", "low", ["F-8"]),
    ]
    assert wrong["more_items"] == 1
    assert [(a["action"], a["resolves"]) for a in wrong["actions"]] == [
        ("Make the funder's decision rights explicit to all partners.", ["D-1"]),
        ("Adopt a conflict-of-interest policy.", ["D-1", "F-3"]),
        ("Invite the missing stakeholders.", ["F-4"]),
    ]
    assert [d["rule"] for d in doc["diagnoses"]] == ["D-1"] and doc["diagnoses"][0]["findings"] == ["F-1", "F-2"]
    assert doc["concerns"][0] == {
        "fact": "trust.level", "value": "low", "note": "raised by the community liaison",
        "findings": [{"rule": "F-10", "title": "Trust between the partners is low", "severity": "high"},
                     {"rule": "F-11", "title": "Trust erodes", "severity": "medium"}],
    }
    assert doc["partnership"]["phase_assumed"] is True
    assert doc["phase"]["basis"] == ["a secretariat is running", "results are monitored"]
