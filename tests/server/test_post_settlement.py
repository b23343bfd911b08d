"""The post-settlement phase through the real server: the contract's Socket.IO events, bad input
that changes nothing, and the export's phase columns recomputed here from the events alone.

Packages of the test scenario (seller, buyer):
FIRST (950, 500), the first deal; BETTER (1150, 900), better for both.
"""

from __future__ import annotations

import json

from tests.server.helpers import (
    all_packages,
    code_of,
    export,
    neg,
    new_pair,
    ok,
    pair_in,
    pkg,
    points,
)

FIRST = pkg(2, 1, 0, 0)
BETTER = pkg(3, 1, 2, 1)
WORSE = pkg(0, 0, 0, 0)  # (0, 1300): worse for the seller than the deal


def phase(state: dict) -> dict:
    return neg(state).get("post_settlement") or {}


def events_of(server, code: str, nid: str) -> list[dict]:
    return [e for e in export(server, code, "events") if e["negotiation_id"] == nid]


def test_a_pair_improves_its_deal_and_bad_input_changes_nothing(module_server, players):
    srv = module_server
    pair = new_pair(srv, players, post_settlement={"time_limit_s": 600, "max_offers": 4})
    seller, buyer = pair.both
    assert phase(seller.state) == {"state": "upcoming", "time_limit_s": 600, "max_offers": 4}
    first_id = ok(seller.call("propose", {"packages": [FIRST]}))["offer_id"]
    ok(buyer.call("accept", {"offer_id": first_id, "package": 0}))
    for p, role in ((seller, "seller"), (buyer, "buyer")):
        st = p.wait(lambda s: phase(s).get("state") == "open")
        assert st["phase"] == "negotiating" and neg(st)["outcome"] is None
        assert phase(st)["deal"] == {"package": FIRST, "points": points(FIRST)[role]}
        assert neg(st)["debrief"] is None

    nid = neg(seller.state)["id"]
    summary = srv.api("GET", f"/api/sessions/{pair.code}").json()["negotiations"][0]
    assert summary["in_phase"] is True and summary["status"] == "open"
    # another pair of the same session: its members cannot touch this negotiation
    other = pair_in(srv, players, pair.code, names=("Cy", "Di"))
    before = len(events_of(srv, pair.code, nid))
    assert code_of(buyer.call("accept", {"offer_id": f"{nid}-p1", "package": 0})) == "unknown_offer"
    p1 = ok(seller.call("propose", {"packages": [BETTER]}))["offer_id"]
    assert p1 == f"{nid}-p1"
    st = buyer.wait(lambda s: len(phase(s).get("proposals", [])) == 1)
    prop = phase(st)["proposals"][0]
    assert (prop["points"], prop["deal_points"]) == ([points(BETTER)["buyer"]], 500)
    assert neg(st)["turn"] == "buyer"
    before = len(events_of(srv, pair.code, nid))
    bad = [
        (buyer, "accept", {"offer_id": p1, "package": 1}, "bad_request"),  # not proposed
        (buyer, "accept", {"offer_id": first_id, "package": 0}, "unknown_offer"),
        (seller, "accept", {"offer_id": p1, "package": 0}, "not_your_turn"),
        (buyer, "decline", {"offer_id": "x"}, "unknown_offer"),
        (buyer, "close_phase", {"now": True}, "bad_request"),
        (other.seller, "accept", {"offer_id": p1, "package": 0}, "unknown_offer"),
        (other.buyer, "decline", {"offer_id": p1}, "bad_request"),  # no deal there yet
        (
            other.seller,
            "propose",
            {"packages": [BETTER], "based_on": {"offer_id": p1, "package": 0}},
            "unknown_offer",
        ),  # fmt: skip
    ]
    for who, event, payload, code in bad:
        assert code_of(who.call(event, payload)) == code, (event, payload)
    assert len(events_of(srv, pair.code, nid)) == before
    assert phase(seller.state)["deal"]["package"] == FIRST

    ok(buyer.call("accept", {"offer_id": p1, "package": 0}))
    for p, role in ((seller, "seller"), (buyer, "buyer")):
        st = p.wait(lambda s: phase(s).get("deal", {}).get("package") == BETTER)
        assert phase(st)["deal"]["points"] == points(BETTER)[role]
        assert phase(st)["first_deal"]["points"] == points(FIRST)[role]
    # a proposal worth less to its proposer than the deal is allowed; then declined
    p2 = ok(buyer.call("propose", {"packages": [WORSE]}))["offer_id"]
    ok(seller.call("decline", {"offer_id": p2}))
    ok(buyer.call("close_phase", {}))
    for p, role in ((seller, "seller"), (buyer, "buyer")):
        st = p.wait_phase("done")
        n = neg(st)
        assert n["status"] == "agreed" and n["outcome"]["package"] == BETTER
        assert n["outcome"]["points"] == points(BETTER)[role]
        path = n["debrief"]["post_settlement"]
        first, final = points(FIRST), points(BETTER)
        assert path["first"] == [first["seller"], first["buyer"]]
        assert path["final"] == [final["seller"], final["buyer"]]
        assert phase(st)["closed"] == {"reason": "closed", "by": "buyer"}
    # privacy: no state sent while the negotiation was open held the other side's numbers
    for p, me in ((seller, "seller"), (buyer, "buyer")):
        them = "buyer" if me == "seller" else "seller"
        for st in p.states:
            n = neg(st)
            if not n or n["status"] != "open":
                continue
            text = json.dumps(st)
            assert f"{them.upper()}-BRIEF-SECRET" not in text and n["debrief"] is None
            ph = n.get("post_settlement") or {}
            for prop in ph.get("proposals", []):
                assert prop["points"] == [points(x)[me] for x in prop["packages"]]
                assert prop["deal_points"] in (points(FIRST)[me], points(BETTER)[me])
            if "deal" in ph:
                assert ph["deal"]["points"] == points(ph["deal"]["package"])[me]
    assert code_of(seller.call("propose", {"packages": [WORSE]})) == "not_negotiating"
    assert code_of(buyer.call("close_phase", {})) == "not_negotiating"

    # the export: the phase's events, and its columns recomputed from them alone
    events = events_of(srv, pair.code, nid)
    types = [e["type"] for e in events]
    assert types[-5:] == [
        "pss_proposed",
        "pss_accepted",
        "pss_proposed",
        "pss_declined",
        "pss_closed",
    ]
    rows = {r["negotiation_id"]: r for r in export(srv, pair.code, "negotiations")}
    assert rows[nid] == rows[nid] | independent_measures(events)
    assert rows[nid]["points_0"] == str(final["seller"])
    # the offers table holds the offers before the deal; its accepted row is the first deal's
    offers = [r for r in export(srv, pair.code, "offers") if r["negotiation_id"] == nid]
    assert [(r["offer_id"], r["accepted"]) for r in offers] == [(first_id, "true")]
    # the other pair has the columns too, empty but post_settlement
    on = rows[neg(other.seller.state)["id"]]
    assert on["post_settlement"] == "true" and on["first_deal"] == ""


def independent_measures(events: list[dict]) -> dict[str, str]:
    """The phase's columns computed from the events table and the scenario, without the game."""
    roles = ["seller", "buyer"]
    offers, proposals, deal, first, proposer, deals = {}, {}, None, None, None, 0
    close = None
    space = [tuple(points(p).values()) for p in all_packages()]
    for e in events:
        pl = json.loads(e["payload"])
        if e["type"] == "proposed":
            offers[pl["offer_id"]] = pl["packages"]
        elif e["type"] == "accepted":
            first = deal = offers[pl["offer_id"]][pl["package"]]
            first_at = e["created_at"]
        elif e["type"] == "pss_proposed":
            proposals[pl["offer_id"]] = (pl["role"], pl["packages"])
        elif e["type"] == "pss_accepted":
            proposer, packages = proposals[pl["offer_id"]]
            deal = packages[pl["package"]]
            deals += 1
        elif e["type"] == "pss_closed":
            close = (pl["reason"], pl.get("role") or pl.get("by") or "")
    f, d = points(first), points(deal)
    fp = (f["seller"], f["buyer"])
    dominated = any(a >= fp[0] and b >= fp[1] and (a, b) != fp for a, b in space)
    return {
        "post_settlement": "true",
        "first_deal": json.dumps(first, separators=(",", ":")),
        "first_deal_points_0": str(f[roles[0]]),
        "first_deal_points_1": str(f[roles[1]]),
        "first_deal_joint": str(sum(f.values())),
        "first_deal_pareto_optimal": "false" if dominated else "true",
        "first_deal_at": first_at,
        "pss_proposals": str(len(proposals)),
        "pss_deals": str(deals),
        "pss_final_proposer": proposer or "",
        "pss_gain_0": str(d[roles[0]] - f[roles[0]]),
        "pss_gain_1": str(d[roles[1]] - f[roles[1]]),
        "pss_gain_joint": str(sum(d.values()) - sum(f.values())),
        "pss_close_reason": close[0],
        "pss_closed_by": close[1],
        "agreement": json.dumps(deal, separators=(",", ":")),
    }


def test_the_session_setting_is_checked_and_kept(module_server):
    r = module_server.api(
        "POST", "/api/sessions",
        json={"scenario": "test-supply", "post_settlement": {"max_offers": 0}},
    )  # fmt: skip
    assert r.status_code == 400
    assert r.json()["errors"] == ["post_settlement.max_offers: must be a whole number from 1 to 50"]
    code = module_server.create_session(scenario="test-supply", protocol="pss")
    view = module_server.api("GET", f"/api/sessions/{code}").json()
    assert view["protocol"] == "pss" and view["post_settlement"] == {
        "time_limit_s": 300, "max_offers": 6,
    }  # fmt: skip


def test_the_console_form_creates_a_session_with_the_phase(module_server):
    from tests.server.test_instructor_auth import login

    web, csrf = login(module_server)
    url = module_server.url + "/instructor/sessions/new"
    form = {"csrf_token": csrf, "scenario": "test-supply", "cond_any": "1", "pairing": "arrival"}
    assert 'id="pss"' in web.get(url, timeout=10).text
    r = web.post(url, data={**form, "pss": "1", "pss_max_offers": "99"}, timeout=10)
    assert r.status_code == 400 and "After a deal: must be a whole number from 1 to 50" in r.text
    r = web.post(
        url, data={**form, "pss": "1", "pss_minutes": "2", "pss_max_offers": "3"},
        allow_redirects=False, timeout=10,
    )  # fmt: skip
    assert r.status_code == 302, r.text
    code = r.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    view = module_server.api("GET", f"/api/sessions/{code}").json()
    assert view["protocol"] == "pss"
    assert view["post_settlement"] == {"time_limit_s": 120, "max_offers": 3}
