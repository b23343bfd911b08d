"""End pressed on a pair that has just agreed (the console's race with the pair): the server
answers 409, nothing to end, and changes nothing; the pair's path, which the console reads
next, says how it ended."""

from __future__ import annotations

from tests.server.helpers import COUNTER, export, new_pair, ok


def test_end_after_an_agreement_is_refused_and_changes_nothing(module_server, players):
    pair = new_pair(module_server, players)
    offer = ok(pair.seller.call("propose", {"packages": [COUNTER]}))
    nid = pair.seller.neg["id"]
    pair.buyer.wait(lambda s: len(s["negotiation"]["offers"]) == 1)
    ok(pair.buyer.call("accept", {"offer_id": offer["offer_id"], "package": 0}))
    before = export(module_server, pair.code, "events")

    r = module_server.api("POST", f"/api/negotiations/{nid}/end")
    assert r.status_code == 409
    assert r.json()["errors"] == ["negotiation: this negotiation has ended"]
    assert export(module_server, pair.code, "events") == before
    row = export(module_server, pair.code, "negotiations")[0]
    assert (row["status"], row["end_reason"]) == ("agreed", "accepted")
    path = module_server.api("GET", f"/instructor/api/negotiations/{nid}/path").json()
    assert path["status"] == "agreed"
    assert path["outcome"]["reason"] == "accepted"
    # the students were told nothing new: their outcome is still the agreement
    assert pair.seller.state["negotiation"]["outcome"]["reason"] == "accepted"


def test_end_on_an_unknown_negotiation_is_a_404(module_server):
    r = module_server.api("POST", "/api/negotiations/n-nothing/end")
    assert r.status_code == 404
    assert r.json()["errors"] == ["negotiation: no negotiation 'n-nothing'"]
