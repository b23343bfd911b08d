"""Questionnaires: every item type, validation with every problem at its place, and answers
checked with a clear error (wrong type, out of range, unknown item, too long)."""

from __future__ import annotations

import copy

import pytest

from game.core import questionnaires as qn
from game.paths import QUESTIONNAIRES

GOOD = {
    "id": "all-kinds",
    "title": "Every kind",
    "pages": [
        {
            "title": "One",
            "items": [
                {"id": "coop", "kind": "likert", "text": "Cooperative?", "points": 7,
                 "anchors": {"1": "No", "7": "Yes"}, "required": True, "scale": "coop"},
                {"id": "coop_r", "kind": "likert", "text": "Selfish?", "points": 7,
                 "anchors": {"1": "No", "7": "Yes"}, "scale": "coop", "reverse": True},
                {"id": "age", "kind": "number", "text": "Age", "min": 16, "max": 99,
                 "integer": True},
                {"id": "one", "kind": "single", "text": "Pick one",
                 "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]},
                {"id": "many", "kind": "multiple", "text": "Pick some", "max_choices": 2,
                 "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"},
                             {"id": "c", "label": "C"}]},
            ],
        },
        {
            "items": [
                {"id": "word", "kind": "text", "text": "A word", "max_length": 10},
                {"id": "story", "kind": "long_text", "text": "Tell us"},
                {"id": "slide", "kind": "slider", "text": "How much", "min": 0, "max": 100,
                 "step": 5, "anchors": {"0": "None", "100": "All"}},
                {"id": "check", "kind": "attention", "text": "Choose B",
                 "options": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}],
                 "expected": "b", "required": True},
            ],
        },
    ],
}  # fmt: skip


def test_a_questionnaire_of_every_item_kind_is_valid():
    assert qn.validate(GOOD) == []
    assert {it["kind"] for it in qn.items(GOOD)} == set(qn.KINDS)


def test_the_shipped_questionnaires_are_valid_and_measure_the_meso_effects():
    forms = {q["id"]: q for q in qn.load_dir(QUESTIONNAIRES)}
    after = forms["after-negotiation"]
    scales = {it.get("scale") for it in qn.items(after)}
    assert {"cooperativeness", "fairness", "satisfaction_outcome", "satisfaction_process",
            "trust", "negotiate_again"} <= scales  # fmt: skip
    assert "first_offer_packages" in {it["id"] for it in qn.items(after)}
    assert any(it["kind"] == "attention" for it in qn.items(after))


def test_every_problem_is_listed_at_its_place():
    bad = copy.deepcopy(GOOD)
    bad["colour"] = "red"
    items0 = bad["pages"][0]["items"]
    items0[0]["points"] = 1
    items0[0]["anchors"] = {"12": "Too far"}
    items0[2]["min"] = 100
    items0[3]["options"] = [{"id": "a", "label": "A"}]
    items0[4]["kind"] = "dropdown"
    items1 = bad["pages"][1]["items"]
    items1[0]["max_length"] = 10**6
    items1[1]["id"] = "coop"
    items1[3]["expected"] = "z"
    items1[2]["step"] = 0
    del bad["title"]
    errors = qn.validate(bad)
    for expected in [
        "colour: unknown key",
        "title: missing",
        "pages[0].items[0].points: must be a whole number from 2 to 11",
        "pages[0].items[2].max: must be greater than min (100)",
        "pages[0].items[3].options: must be a list of 2 to 30 options",
        "pages[0].items[4].kind: must be one of likert, number, single, multiple, text, "
        "long_text, slider, attention, not 'dropdown'",
        "pages[1].items[0].max_length: must be a whole number from 1 to 200",
        "pages[1].items[1].id: 'coop' is used twice (also at pages[0].items[0])",
        "pages[1].items[3].expected: 'z' is not one of the options",
        "pages[1].items[2].step: must be a positive number",
    ]:
        assert expected in errors, (expected, errors)
    assert any(e.startswith("pages[0].items[0].anchors.12:") for e in errors)
    with pytest.raises(qn.QuestionnaireError) as e:
        qn.parse(bad)
    assert e.value.errors == errors


def test_a_file_that_is_not_json_says_where_it_breaks(tmp_path):
    p = tmp_path / "broken.json"
    p.write_text('{"id": "x",\n "title": }')
    with pytest.raises(qn.QuestionnaireError) as e:
        qn.load_file(p)
    assert e.value.errors[0].startswith("broken.json: json: line 2")


@pytest.mark.parametrize(
    ("item", "value", "kept"),
    [
        ("coop", 7, 7),
        ("age", 30.0, 30),
        ("one", "b", "b"),
        ("many", ["c", "a"], ["a", "c"]),
        ("word", "  fair ", "fair"),
        ("story", "x" * 5000, "x" * 5000),
        ("slide", 35, 35),
        ("check", "a", "a"),
        ("coop", None, None),
    ],
)
def test_an_answer_of_each_kind_is_kept(item, value, kept):
    assert qn.check_answer(GOOD, item, value) == kept


@pytest.mark.parametrize(
    ("item", "value", "message"),
    [
        ("coop", "7", "all-kinds.coop: must be a whole number from 1 to 7"),
        ("coop", 8, "all-kinds.coop: must be a whole number from 1 to 7"),
        ("coop", True, "all-kinds.coop: must be a whole number from 1 to 7"),
        ("age", 15, "all-kinds.age: must be from 16 to 99"),
        ("age", 20.5, "all-kinds.age: must be a whole number"),
        ("one", "z", "all-kinds.one: must be one of a, b"),
        ("many", ["a", "b", "c"], "all-kinds.many: choose from 0 to 2 options"),
        ("many", ["a", "a"], "all-kinds.many: an option is chosen twice"),
        ("many", "a", "all-kinds.many: must be a list of some of a, b, c"),
        ("word", "x" * 11, "all-kinds.word: too long (11 characters; at most 10)"),
        ("story", 5, "all-kinds.story: must be text"),
        ("slide", 33, "all-kinds.slide: must be a step of 5 from 0"),
        ("slide", 101, "all-kinds.slide: must be from 0 to 100"),
        ("nope", 1, "item: all-kinds has no item 'nope'"),
    ],
)
def test_a_wrong_answer_is_refused_naming_the_item(item, value, message):
    with pytest.raises(qn.AnswerError) as e:
        qn.check_answer(GOOD, item, value)
    assert str(e.value) == message


def test_required_items_attention_checks_and_reversed_scales():
    assert qn.missing(GOOD, 0, {"coop": None}) == ["coop"]
    assert qn.missing(GOOD, 0, {"coop": 3}) == []
    check = qn.item(GOOD, "check")
    assert qn.is_correct(check, "b") is True and qn.is_correct(check, "a") is False
    assert qn.is_correct(qn.item(GOOD, "coop"), 3) is None
    assert qn.scale_scores(GOOD, {"coop": 6, "coop_r": 2}) == {"coop": 6.0}
