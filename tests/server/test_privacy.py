"""Privacy: while a negotiation is open no state sent to one role holds the other role's
brief, BATNA or points, in any field.

The scenario's numbers are distinctive (no value of one role equals any value, package total or
BATNA of the other), so a leak anywhere in a state is detectable by walking every field.
"""

from __future__ import annotations

import itertools
import json
import re

from tests.server.helpers import neg, offers, ok

# role "north": values around 5,000-7,000 per issue; role "south": around 30,000-50,000
NORTH = {"x": [5003, 5107, 5209], "y": [6007, 6101, 6203], "z": [7001, 7103, 7207]}
SOUTH = {"x": [30011, 30313, 30517], "y": [40709, 40423, 40127], "z": [50021, 50333, 50647]}
BATNA = {"north": 17911, "south": 119993}
BRIEF = {
    "north": "Northern brief: keep the ferry schedule QUOKKA-7731 private.",
    "south": "Southern brief: the harbour lease PANGOLIN-4402 is secret.",
}


def privacy_scenario() -> dict:
    return {
        "id": "privacy-check",
        "title": "Harbour deal",
        "description": "Both sides see this.",
        "roles": [
            {"id": "north", "name": "North", "brief": BRIEF["north"], "batna": BATNA["north"]},
            {"id": "south", "name": "South", "brief": BRIEF["south"], "batna": BATNA["south"]},
        ],
        "issues": [
            {
                "id": issue,
                "name": issue.upper(),
                "options": [
                    {
                        "id": f"{issue}{n}",
                        "label": f"{issue} option {n}",
                        "points": {"north": NORTH[issue][n], "south": SOUTH[issue][n]},
                    }
                    for n in range(3)
                ],
            }
            for issue in ("x", "y", "z")
        ],
        "first_mover": "north",
        "max_packages": 3,
        "meso_tolerance": 150,
        "time_limit_s": None,
        "max_offers": 10,
    }


def secret_numbers(table: dict, batna: float) -> set[float]:
    """A role's option points, every package total and its BATNA."""
    values = {v for vs in table.values() for v in vs}
    totals = {sum(c) for c in itertools.product(*table.values())}
    return values | totals | {batna}


SECRET_NUMBERS = {
    "north": secret_numbers(NORTH, BATNA["north"]),
    "south": secret_numbers(SOUTH, BATNA["south"]),
}


def leaks(state: dict, other: str) -> list[str]:
    """Every place in ``state`` that holds something private to role ``other``."""
    found: list[str] = []
    numbers = SECRET_NUMBERS[other]
    tokens = {str(int(n)) for n in numbers}
    brief_words = re.findall(r"[A-Z]+-\d+", BRIEF[other]) + [BRIEF[other]]

    def walk(x, place: str) -> None:
        if isinstance(x, bool) or x is None:
            return
        if isinstance(x, (int, float)):
            if x in numbers:
                found.append(f"{place} = {x}")
        elif isinstance(x, str):
            if any(w in x for w in brief_words):
                found.append(f"{place}: brief text")
            for t in re.findall(r"(?<![\w.])\d+(?![\w.])", x):
                if t in tokens:
                    found.append(f"{place}: number {t}")
        elif isinstance(x, dict):
            for k, v in x.items():
                if str(k) in tokens:
                    found.append(f"{place}: key {k}")
                walk(v, f"{place}.{k}")
        elif isinstance(x, list):
            for n, v in enumerate(x):
                walk(v, f"{place}[{n}]")
        else:
            found.append(f"{place}: unexpected type {type(x).__name__}")

    walk(state, "state")
    return found


def test_the_scenario_numbers_are_distinctive():
    assert not SECRET_NUMBERS["north"] & SECRET_NUMBERS["south"]


def test_the_leak_detector_finds_what_it_looks_for():
    assert leaks({"a": {"b": [1, 121069]}}, "south")
    assert leaks({"note": "worth 30313 to them"}, "south")
    assert leaks({"brief": "... PANGOLIN-4402 ..."}, "south")
    assert leaks({"batna": 119993.0}, "south")
    assert not leaks({"t": 1795647341.30313, "id": "n_30313ab-1", "x": 18311}, "south")


def package(x: int, y: int, z: int) -> dict[str, str]:
    return {"x": f"x{x}", "y": f"y{y}", "z": f"z{z}"}


def value(p: dict[str, str], role: str) -> int:
    table = NORTH if role == "north" else SOUTH
    return sum(table[k][int(v[1:])] for k, v in p.items())


def test_no_state_sent_while_open_holds_the_other_roles_brief_batna_or_points(
    module_server, players
):
    assert module_server.upload(privacy_scenario()).status_code == 201
    code = module_server.create_session(scenario="privacy-check", conditions=["meso"])
    a = players(module_server, module_server.join(code, "Ann")["token"])
    a.wait_phase("lobby")
    b = players(module_server, module_server.join(code, "Bea")["token"])
    a.wait_phase("negotiating")
    b.wait_phase("negotiating")
    north, south = (a, b) if a.neg["role"] == "north" else (b, a)
    # a second tab of each, and a tab that comes and goes, receive states too
    north_tab = players(module_server, north.token)
    south_tab = players(module_server, south.token)
    north_tab.wait_phase("negotiating")
    south_tab.wait_phase("negotiating")

    meso = [package(1, 0, 0), package(0, 1, 0), package(0, 0, 1)]
    assert max(value(p, "north") for p in meso) - min(value(p, "north") for p in meso) <= 150
    first = ok(north.call("propose", {"packages": meso}))["offer_id"]
    south.wait(lambda s: len(offers(s)) == 1)
    ok(south.call("chat", {"text": "What matters most to you?"}))
    ok(north.call("chat", {"text": "Delivery, mostly."}))
    counter = [package(1, 1, 1), package(0, 1, 2)]
    assert abs(value(counter[0], "south") - value(counter[1], "south")) <= 150
    second = ok(
        south.call("propose", {"packages": counter, "based_on": {"offer_id": first, "package": 1}})
    )["offer_id"]
    north.wait(lambda s: len(offers(s)) == 2)
    third = ok(north.call("propose", {"packages": [package(2, 0, 0)]}))["offer_id"]
    south.wait(lambda s: len(offers(s)) == 3)
    south_tab.close()
    north.wait(lambda s: neg(s)["partner"]["connected"] is True)
    ok(south.call("accept", {"offer_id": third, "package": 0}))
    for p in (north, south, north_tab):
        p.wait_phase("done")
    assert second

    for p, role, other in (
        (north, "north", "south"),
        (north_tab, "north", "south"),
        (south, "south", "north"),
        (south_tab, "south", "north"),
    ):
        open_states = [s for s in p.states if s["phase"] != "done"]
        assert len(open_states) >= 4
        for s in open_states:
            assert neg(s).get("debrief") is None
            found = leaks(s, other)
            assert not found, f"{role} was sent {other}'s secrets: {found[:5]}"
        # and the viewer's own table is there: brief, BATNA and own points
        mine = neg(open_states[-1])["scenario"]
        assert mine["brief"] == BRIEF[role]
        assert mine["batna"] == BATNA[role]
        table = NORTH if role == "north" else SOUTH
        assert [[o["points"] for o in i["options"]] for i in mine["issues"]] == list(table.values())
        last_open = neg(open_states[-1])
        for o in last_open["offers"]:
            assert o["points"] == [value(x, role) for x in o["packages"]]

    # after the end each side's outcome is its own points; a debrief may add the partner's
    for p, role in ((north, "north"), (south, "south")):
        n = neg(p.state)
        assert n["status"] == "agreed"
        assert n["outcome"]["points"] == value(package(2, 0, 0), role)
        json.dumps(p.state)  # the final state is plain JSON


def test_lobby_and_waiting_states_hold_nothing_of_either_role(module_server, players):
    if not any(
        s["id"] == "privacy-check" for s in module_server.api("GET", "/api/scenarios").json()
    ):
        assert module_server.upload(privacy_scenario()).status_code == 201
    code = module_server.create_session(scenario="privacy-check")
    p = players(module_server, module_server.join(code, "Lone")["token"])
    st = p.wait_phase("lobby")
    assert not leaks(st, "north") and not leaks(st, "south")
