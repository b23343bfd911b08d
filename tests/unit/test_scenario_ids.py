"""Ids match [a-z0-9_-]+ exactly: no trailing newline slips through."""

from __future__ import annotations

import pytest

from game.core.scenario import validate
from game.core.views import thin
from tests.support import scenario_dict


@pytest.mark.parametrize("bad", ["nl-test\n", "UPPER", "space id", "", "a" * 65])
def test_a_scenario_id_outside_the_pattern_is_refused(bad):
    errors = validate(scenario_dict(id=bad))
    assert any(e.startswith("id:") for e in errors), errors


def test_an_option_id_with_a_trailing_newline_is_refused():
    data = scenario_dict()
    data["issues"][0]["options"][0]["id"] = "price0\n"
    assert "issues[0].options[0].id" in " ".join(validate(data))


def test_thin_keeps_both_ends_and_at_most_the_limit():
    pts = [[i, -i] for i in range(10_000)]
    out = thin(pts, 1500)
    assert len(out) == 1500 and out[0] == pts[0] and out[-1] == pts[-1]
    assert thin(pts[:10], 1500) == pts[:10]
