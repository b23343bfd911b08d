"""game.core.annotate: a scenario's problems at their place in the document, as the console's
upload form shows them. The problems are the parser's own (``game.core.scenario.parse``)."""

from __future__ import annotations

import json

import pytest

from game.core.annotate import annotate, place_path
from game.core.scenario import ScenarioError, parse
from tests.support import scenario_dict


def problems_of(data) -> list[str]:
    with pytest.raises(ScenarioError) as e:
        parse(data)
    return e.value.errors


def line_of(lines, error: str) -> str:
    """The text of the one line that carries the error."""
    found = [line["text"] for line in lines if error in line["errors"]]
    assert len(found) == 1, (error, found)
    return found[0]


# ---------------------------------------------------------------- place_path


@pytest.mark.parametrize(
    ("place", "path"),
    [
        (
            "issues[2].options[0].points.candidate",
            ["issues", 2, "options", 0, "points", "candidate"],
        ),
        ("roles[0]", ["roles", 0]),
        ("roles[0].batna", ["roles", 0, "batna"]),
        ("max_packages", ["max_packages"]),
        ("issues[10][3]", ["issues", 10, 3]),
        ("issues[0].options[1].id", ["issues", 0, "options", 1, "id"]),
    ],
)
def test_a_place_is_read_as_the_keys_and_indexes_down_to_it(place, path):
    assert place_path(place) == path


@pytest.mark.parametrize("place", ["", "scenario", "body", "file"])
def test_the_whole_document_is_the_empty_path(place):
    assert place_path(place) == []


# ---------------------------------------------------------------- annotate


def test_the_lines_are_the_file_as_uploaded_when_it_was_written_with_two_spaces():
    data = scenario_dict()
    data["title"] = "Négociation: ça marche"  # not escaped, as it was written
    uploaded = json.dumps(data, indent=2, ensure_ascii=False)
    lines, unplaced = annotate(data, [])
    assert [line["text"] for line in lines] == uploaded.splitlines()
    assert unplaced == []
    assert all(line["errors"] == [] and line["id"] is None for line in lines)


def test_a_deep_place_lands_on_its_own_line():
    data = scenario_dict()
    data["issues"][2]["options"][0]["points"]["buyer"] = "lots"
    errors = problems_of(data)
    error = next(e for e in errors if e.startswith("issues[2].options[0].points.buyer: "))
    lines, unplaced = annotate(data, errors)
    assert line_of(lines, error).strip() == '"buyer": "lots"'
    assert unplaced == []
    # the line is the one json.dumps puts it on: the third issue's first option
    text = json.dumps(data, indent=2).splitlines()
    n = next(i for i, line in enumerate(lines) if error in line["errors"])
    assert text[n].strip() == '"buyer": "lots"'
    assert '"warranty0"' in "\n".join(text[n - 5 : n])


def test_an_unknown_key_lands_on_the_key_itself():
    data = scenario_dict()
    data["colour"] = "blue"
    errors = problems_of(data)
    assert "colour: unknown key" in errors
    lines, _ = annotate(data, errors)
    assert line_of(lines, "colour: unknown key").strip() == '"colour": "blue"'


def test_a_missing_key_lands_on_the_nearest_enclosing_line():
    data = scenario_dict()
    del data["roles"][0]["batna"]
    errors = problems_of(data)
    assert "roles[0].batna: missing" in errors
    lines, unplaced = annotate(data, errors)
    n = next(i for i, line in enumerate(lines) if "roles[0].batna: missing" in line["errors"])
    assert lines[n]["text"] == "    {"  # the first role's opening brace
    assert lines[n + 1]["text"].strip() == '"id": "seller",'
    assert unplaced == []


def test_a_problem_of_the_whole_document_lands_on_the_first_line():
    errors = problems_of([1, 2])
    assert errors == ["scenario: must be a JSON object"]
    lines, unplaced = annotate([1, 2], errors)
    assert [line["text"] for line in lines] == ["[", "  1,", "  2", "]"]
    assert lines[0]["errors"] == errors and lines[0]["id"] == "problem-1"
    assert unplaced == []


def test_a_problem_with_no_place_lands_on_the_first_line_too():
    lines, unplaced = annotate({"id": "x"}, ["something is wrong"])
    assert lines[0]["errors"] == ["something is wrong"]
    assert unplaced == []


def test_a_place_past_the_end_of_a_list_lands_on_the_list():
    data = {"issues": [{"id": "a"}]}
    lines, _ = annotate(data, ["issues[5].id: missing"])
    assert line_of(lines, "issues[5].id: missing") == '  "issues": ['


def test_lines_with_problems_are_numbered_in_order_and_share_one_anchor():
    data = scenario_dict()
    data["colour"] = "blue"
    data["max_packages"] = "three"
    errors = problems_of(data)
    errors.append("max_packages: also this")
    lines, _ = annotate(data, errors)
    marked = [line for line in lines if line["errors"]]
    assert [line["id"] for line in marked] == [f"problem-{n + 1}" for n in range(len(marked))]
    max_line = next(line for line in marked if line["text"].strip().startswith('"max_packages"'))
    assert len(max_line["errors"]) == 2 and "max_packages: also this" in max_line["errors"]
    assert sum(len(line["errors"]) for line in lines) == len(errors)


def test_a_long_value_is_cut_on_its_line():
    data = {"description": "x" * 500}
    lines, _ = annotate(data, [])
    text = lines[1]["text"]
    assert text.startswith('  "description": "xxx') and text.endswith('…"')
    assert 90 < len(text) - len('  "description": ') <= 100


def test_empty_objects_and_lists_are_one_line_each():
    data = {"a": {}, "b": [], "c": None}
    lines, _ = annotate(data, ["a: empty", "b: empty", "c: missing"])
    assert [line["text"] for line in lines] == json.dumps(data, indent=2).splitlines()
    assert line_of(lines, "a: empty") == '  "a": {},'
    assert line_of(lines, "b: empty") == '  "b": [],'
    assert line_of(lines, "c: missing") == '  "c": null'


def test_problems_are_shown_on_the_files_own_lines():
    """The upload's view keeps the file's lines: a problem is on the line where the author's
    file has it, not where a re-formatted copy would (issue 13: first_mover on 18, not 56)."""
    from game.core.annotate import annotate_text, source_lines

    text = (
        '{"id": "x",\n "title": 3, "roles": [\n  {"id": "a"},\n'
        '  {"id": "b", "batna": "no"}],\n "first_mover": "zz", "issues": []}\n'
    )
    errors = ["title: must be text", "roles[1].batna: must be a number",
              "first_mover: unknown role", "roles[0].brief: missing"]  # fmt: skip
    lines, unplaced = annotate_text(text, errors)
    assert [x["text"] for x in lines] == text.splitlines()
    at = {e: n + 1 for n, x in enumerate(lines) for e in x["errors"]}
    assert at == {
        "title: must be text": 2,
        "roles[1].batna: must be a number": 4,
        "first_mover: unknown role": 5,
        "roles[0].brief: missing": 3,
    }
    assert unplaced == []
    where = source_lines('[1, {"a": [2, "x,]"]}, "b"]')
    assert where[(1, "a", 1)] == 0 and where[(2,)] == 0
    with pytest.raises(ValueError):
        source_lines('{"a": ')
