"""The JSON API of PROTOCOL.md section 3 (authorisation itself is tested in
test_instructor_auth.py)."""

from __future__ import annotations

import pytest
import requests

from tests.server.helpers import SCENARIO_ID
from tests.support import scenario_dict


def errors_of(r: requests.Response, status: int) -> list[str]:
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    errors = r.json()["errors"]
    assert isinstance(errors, list) and errors
    assert all(isinstance(e, str) and ": " in e for e in errors), errors
    return errors


# ---------------------------------------------------------------- scenarios


def test_an_uploaded_scenario_is_listed(module_server):
    r = module_server.upload(scenario_dict(id="listed-one", title="Listed one"))
    assert r.status_code == 201 and r.json()["id"] == "listed-one"
    listed = module_server.api("GET", "/api/scenarios").json()
    assert {"id": "listed-one", "title": "Listed one"}.items() <= next(
        s for s in listed if s["id"] == "listed-one"
    ).items()
    # the shipped ones are there too
    assert {"job-offer", SCENARIO_ID} <= {s["id"] for s in listed}


def test_an_invalid_scenario_is_refused_with_every_problem_listed(module_server):
    bad = scenario_dict(id="Bad Id!")
    bad["issues"][0]["colour"] = "red"
    del bad["issues"][2]["options"][0]["points"]["buyer"]
    bad["max_packages"] = 7
    errors = errors_of(module_server.upload(bad), 400)
    joined = "\n".join(errors)
    assert "issues[0].colour: unknown key" in errors
    assert "issues[2].options[0].points.buyer: missing" in errors
    assert "id:" in joined and "max_packages:" in joined
    assert "Bad Id!" not in {s["id"] for s in module_server.api("GET", "/api/scenarios").json()}


@pytest.mark.parametrize("body", ["not json at all", "[1, 2]", "null", "42"])
def test_a_body_that_is_no_scenario_is_refused(module_server, body):
    r = module_server.api(
        "POST", "/api/scenarios", data=body, headers={"Content-Type": "application/json"}
    )
    errors_of(r, 400)


def test_a_taken_scenario_id_is_a_conflict(module_server):
    r = module_server.upload(scenario_dict())  # uploaded by the fixture already
    errors_of(r, 409)
    r = module_server.upload(scenario_dict(id="job-offer"))  # a shipped one
    errors_of(r, 409)


# ---------------------------------------------------------------- sessions


def test_a_session_takes_its_defaults_from_the_scenario(module_server):
    code = module_server.create_session(scenario=SCENARIO_ID)
    view = module_server.api("GET", f"/api/sessions/{code}").json()
    assert view["code"] == code
    assert view["conditions"] == ["any"]
    assert view["pairing"] == "arrival"
    assert view["time_limit_s"] is None
    assert view["max_offers"] == 8
    assert view["participants"] == [] and view["negotiations"] == []


def test_a_session_keeps_what_the_instructor_chose(module_server):
    code = module_server.create_session(
        scenario=SCENARIO_ID,
        conditions=["single", "meso", "meso"],
        time_limit_s=300,
        max_offers=3,
        pairing="rounds",
    )
    view = module_server.api("GET", f"/api/sessions/{code}").json()
    assert view["conditions"] == ["single", "meso", "meso"]
    assert view["time_limit_s"] == 300 and view["max_offers"] == 3
    assert view["pairing"] == "rounds"


def test_session_codes_are_short_and_unambiguous(module_server):
    codes = {module_server.create_session(scenario=SCENARIO_ID) for _ in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert 4 <= len(code) <= 10
        assert not set(code) & set("0O1I"), code
        assert code == code.upper()


@pytest.mark.parametrize(
    "body,place",
    [
        ({"scenario": "no-such-scenario"}, "scenario"),
        ({}, "scenario"),
        ({"scenario": 7}, "scenario"),
        ({"scenario": SCENARIO_ID, "conditions": ["mesa"]}, "conditions"),
        ({"scenario": SCENARIO_ID, "conditions": []}, "conditions"),
        ({"scenario": SCENARIO_ID, "conditions": "meso"}, "conditions"),
        ({"scenario": SCENARIO_ID, "pairing": "random"}, "pairing"),
        ({"scenario": SCENARIO_ID, "time_limit_s": -5}, "time_limit_s"),
        ({"scenario": SCENARIO_ID, "time_limit_s": "ten"}, "time_limit_s"),
        ({"scenario": SCENARIO_ID, "max_offers": 0}, "max_offers"),
        ({"scenario": SCENARIO_ID, "max_offers": 2.5}, "max_offers"),
    ],
)
def test_a_session_with_bad_settings_is_refused(module_server, body, place):
    errors = errors_of(module_server.api("POST", "/api/sessions", json=body), 400)
    assert any(e.startswith(place) for e in errors), errors


def test_meso_with_a_single_package_scenario_is_refused(module_server):
    r = module_server.upload(scenario_dict(id="single-only", max_packages=1))
    assert r.status_code == 201, r.text
    errors = errors_of(
        module_server.api(
            "POST", "/api/sessions", json={"scenario": "single-only", "conditions": ["any", "meso"]}
        ),
        400,
    )
    assert any(e.startswith("conditions") for e in errors)
    ok = module_server.api(
        "POST", "/api/sessions", json={"scenario": "single-only", "conditions": ["single", "any"]}
    )
    assert ok.status_code == 201


def test_an_unknown_session_code_is_not_found(module_server):
    errors_of(module_server.api("GET", "/api/sessions/ZZZZZZ"), 404)
    errors_of(module_server.api("GET", "/api/sessions/ZZZZZZ/standings"), 404)
    errors_of(module_server.api("GET", "/api/sessions/ZZZZZZ/export/offers.csv"), 404)
    r = requests.post(
        f"{module_server.url}/api/sessions/ZZZZZZ/join", json={"name": "X"}, timeout=10
    )
    errors_of(r, 404)


def test_session_codes_are_case_insensitive(module_server):
    code = module_server.create_session(scenario=SCENARIO_ID)
    lower = code.lower()
    assert module_server.api("GET", f"/api/sessions/{lower}").json()["code"] == code
    r = requests.post(
        f"{module_server.url}/api/sessions/{lower}/join", json={"name": "Low"}, timeout=10
    )
    assert r.status_code == 201
    assert module_server.api("GET", f"/api/sessions/{lower}/standings").status_code == 200
    view = module_server.api("GET", f"/api/sessions/{code}").json()
    assert [p["name"] for p in view["participants"]] == ["Low"]


def test_an_unknown_export_table_is_not_found(module_server):
    code = module_server.create_session(scenario=SCENARIO_ID)
    errors_of(module_server.api("GET", f"/api/sessions/{code}/export/secrets.csv"), 404)


# ---------------------------------------------------------------- joining


@pytest.mark.parametrize(
    "name,stored",
    [
        ("A", "A"),
        ("  Ada  ", "Ada"),
        ("x" * 80, "x" * 80),
        ("   " + "y" * 80 + "\t", "y" * 80),
        ("Zoë Ångström-李", "Zoë Ångström-李"),
    ],
)
def test_a_name_of_1_to_80_characters_after_trimming_is_welcome(module_server, name, stored):
    code = module_server.create_session(scenario=SCENARIO_ID)
    r = requests.post(
        f"{module_server.url}/api/sessions/{code}/join", json={"name": name}, timeout=10
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) >= {"token", "participant_id"}
    assert len(body["token"]) >= 22  # at least 128 bits of a URL-safe token
    view = module_server.api("GET", f"/api/sessions/{code}").json()
    assert view["participants"][0]["name"] == stored
    assert view["participants"][0]["participant_id"] == body["participant_id"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "    "},
        {"name": "\n\t"},
        {"name": "x" * 81},
        {"name": None},
        {"name": 5},
        {"name": ["Ann"]},
        {},
        {"name": "Ann", "label": "l" * 500},
    ],
)
def test_a_join_without_a_proper_name_is_refused(module_server, body):
    code = module_server.create_session(scenario=SCENARIO_ID)
    r = requests.post(f"{module_server.url}/api/sessions/{code}/join", json=body, timeout=10)
    errors_of(r, 400)
    assert module_server.api("GET", f"/api/sessions/{code}").json()["participants"] == []


def test_a_join_that_is_not_json_is_refused(module_server):
    code = module_server.create_session(scenario=SCENARIO_ID)
    r = requests.post(f"{module_server.url}/api/sessions/{code}/join", data="name=Ann", timeout=10)
    errors_of(r, 400)


def test_each_join_is_a_new_participant_with_its_own_token(module_server):
    code = module_server.create_session(scenario=SCENARIO_ID)
    a = module_server.join(code, "Same")
    b = module_server.join(code, "Same", label="group 2")
    assert a["token"] != b["token"] and a["participant_id"] != b["participant_id"]
    view = module_server.api("GET", f"/api/sessions/{code}").json()
    assert [(p["name"], p["label"]) for p in view["participants"]] == [
        ("Same", ""),
        ("Same", "group 2"),
    ]


def test_the_session_view_holds_participants_and_negotiations_with_outcomes(module_server, players):
    from tests.server.helpers import MESO, ok, pair_in, points

    code = module_server.create_session(scenario=SCENARIO_ID, conditions=["meso"])
    pair = pair_in(module_server, players, code)
    offer_id = ok(pair.seller.call("propose", {"packages": MESO}))["offer_id"]
    pair.buyer.wait(lambda s: len(s["negotiation"]["offers"]) == 1)
    ok(pair.buyer.call("accept", {"offer_id": offer_id, "package": 2}))
    pair.seller.wait_phase("done")
    view = module_server.api("GET", f"/api/sessions/{code}").json()
    assert len(view["participants"]) == 2
    (n,) = view["negotiations"]
    assert n["status"] == "agreed" and n["end_reason"] == "accepted"
    assert n["agreement"] == MESO[2]
    assert n["points"] == [points(MESO[2])["seller"], points(MESO[2])["buyer"]]
    assert n["condition"] == "meso"
