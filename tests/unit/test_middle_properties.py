"""Properties of the two protocols with a middle seat (mediated, single_text) that hold for
every scenario and every sequence of actions from every seat.

Random small scenarios and random actions by random seats (the two parties, the middle seat and
an outsider), with payloads that are sometimes valid, sometimes nearly valid and sometimes junk,
played as the shell plays them (``due`` first, then parse and apply). After every step: a
refused action names one of the documented codes; the state is the fold of its events; the
limits hold; a deal is a package both parties accepted or endorsed; nothing is accepted after
the end; and, while the negotiation is open, no seat is shown what it may not see (the other
party's channel, answers' reasons, marks' comments, brief, BATNA or points; the middle seat sees
no brief, no BATNA and only the points that were confided).
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from game.core.protocols import mediated, single_text
from game.core.protocols.common import RuleError
from game.core.scenario import parse

T0 = 1_000_000.0
CODES = {
    "bad_request",
    "not_negotiating",
    "not_your_seat",
    "offer_limit",
    "invalid_package",
    "unknown_offer",
    "already_answered",
    "unknown_issue",
    "invalid_mark",
}
PROPS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ROLES = ("r0", "r1")
# each role's numbers are told apart by their form: r0's points are whole numbers, r1's end in
# .25 (so r1's sums end in .25, .5, .75); the BATNAs and briefs are markers of their own
BATNA = {"r0": 7777.125, "r1": 8888.375}


@st.composite
def scenarios(draw):
    issues = []
    for i in range(draw(st.integers(1, 3))):
        issues.append(
            {
                "id": f"i{i}",
                "name": f"Issue {i}",
                "options": [
                    {
                        "id": f"o{j}",
                        "label": f"Option {j}",
                        "points": {
                            "r0": draw(st.integers(0, 40)),
                            "r1": draw(st.integers(0, 40)) * 4 + 1001.25,
                        },
                    }
                    for j in range(draw(st.integers(2, 3)))
                ],
            }
        )
    return parse(
        {
            "id": "random",
            "title": "Random",
            "description": "",
            "roles": [
                {"id": r, "name": f"Role {r}", "brief": f"brief-of-{r}", "batna": BATNA[r]}
                for r in ROLES
            ],
            "issues": issues,
            "first_mover": "r0",
            "max_packages": 1,
            "meso_tolerance": 0,
            "time_limit_s": draw(st.sampled_from([None, None, 120])),
            "max_offers": draw(st.integers(1, 5)),
        }
    )


junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=3)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3),
                                                                         inner, max_size=3)),
    max_leaves=6,
)  # fmt: skip


def package(draw, sc, *, near: bool):
    p = {i.id: draw(st.sampled_from([o.id for o in i.options])) for i in sc.issues}
    if near and draw(st.booleans()):
        p[draw(st.sampled_from(sorted(p)))] = "nope"  # an option the scenario has not
    elif near:
        p.pop(draw(st.sampled_from(sorted(p))))  # an issue missing
    return p


def latest_id(state, rules, draw):
    """Mostly the latest proposal's or draft's id; sometimes an earlier or an unknown one."""
    items = state.proposals if rules is mediated else state.drafts
    ids = [x.id for x in items]
    return draw(st.sampled_from(ids[-1:] * 6 + ids[-2:-1] + ["n-x9"]))


def payload(draw, rules, state, kind: str, seat: str, n: int):
    """A payload for ``kind``: valid, nearly valid or junk. Texts carry unique markers."""
    sc = state.scenario
    if draw(st.integers(0, 9)) == 0:
        return draw(junk)
    near = draw(st.integers(0, 4)) == 0
    if kind == "chat":
        p = {"text": f"said-{seat}-{n}"}
        if rules is mediated:
            p["to"] = draw(st.sampled_from([None, *ROLES, "mediator", "zz"]))
        return p
    if kind == "confide":
        ids = [i.id for i in sc.issues] + (["i9"] if near else [])
        return {"issues": draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3))}
    if kind in ("propose", "draft"):
        return {"package": package(draw, sc, near=near), "note": f"note-{n}"}
    if kind == "answer":
        return {
            "proposal_id": latest_id(state, rules, draw),
            "accept": draw(st.sampled_from([True, True, False])),
            "reason": f"reason-{seat}-{n}",
        }
    if kind == "endorse":
        return {"draft_id": latest_id(state, rules, draw)}
    if kind == "mark":
        marks = {}
        latest = state.latest
        for i in sc.issues:
            others = [o.id for o in i.options if latest is None or o.id != latest.package[i.id]]
            if draw(st.booleans()) or not others:
                marks[i.id] = {"ok": True}
            else:
                marks[i.id] = {"ok": False, "option": draw(st.sampled_from(others)),
                               "comment": f"comment-{seat}-{n}"}  # fmt: skip
        if near:
            choice = draw(st.integers(0, 2))
            if choice == 0:
                marks["i9"] = {"ok": True}  # an unknown issue
            elif choice == 1:
                marks.pop(sc.issues[0].id)  # an issue left unmarked
            else:
                marks[sc.issues[0].id] = {"ok": False, "option": "nope"}
        return {"draft_id": latest_id(state, rules, draw), "marks": marks}
    return {}


def own_numbers_only(text: str, role: str) -> None:
    """A view of ``role`` (or of the middle seat, for role None) shows no number of the other."""
    other = "r1" if role == "r0" else "r0"
    assert f"brief-of-{other}" not in text
    assert str(BATNA[other]) not in text


def check_privacy(rules, state, events) -> None:
    sc = state.scenario
    views = {seat: rules.view(state, seat) for seat in state.seats}
    texts = {seat: json.dumps(v) for seat, v in views.items()}
    mid = rules.MIDDLE
    for r in ROLES:
        other = "r1" if r == "r0" else "r0"
        own_numbers_only(texts[r], r)
        if r == "r0":  # r1's points end in .25, so in r0's view no number does
            assert ".25" not in texts[r] and ".75" not in texts[r]
        for e in events:
            if e.get("role") == other or e.get("channel") == other:
                for key in ("text", "reason"):
                    if rules is mediated and isinstance(e.get(key), str):
                        # quoted: a whole text ("said-x-1" is not inside "said-x-11")
                        assert json.dumps(e[key]) not in texts[r], (r, e)
                if e["type"] == "marked":
                    for m in e["marks"].values():
                        assert not m.get("comment") or json.dumps(m["comment"]) not in texts[r]
    for r in ROLES:
        assert f"brief-of-{r}" not in texts[mid] and str(BATNA[r]) not in texts[mid]
    if rules is mediated:
        for r in ROLES:
            shown = views[mid]["confided"][r]
            assert set(shown) <= set(state.confided.get(r, ())), (r, shown)
            for iid, pts in shown.items():
                k = sc.role_index(r)
                assert pts == {o.id: o.points[k] for o in sc.issue(iid).options}
        if not any(state.confided.get(r) for r in ROLES):
            assert "1001.25" not in texts[mid] and ".25" not in texts[mid]
    else:  # the facilitator sees no point at all
        assert ".25" not in texts[mid] and ".75" not in texts[mid]


def play(rules, sc, data, steps: int):
    state = rules.new_state("n", sc, rules.CONDITIONS[0], started_at=T0,
                            time_limit_s=sc.time_limit_s)  # fmt: skip
    start = state
    events: list[dict] = []
    now = T0
    # weighted so that negotiations usually get somewhere before someone walks away
    if rules is mediated:
        kinds = ["propose"] * 6 + ["answer"] * 14 + ["confide"] * 3 + ["chat"] * 3
    else:
        kinds = ["draft"] * 4 + ["endorse"] * 12 + ["mark"] * 6 + ["chat"] * 3
    kinds += ["walk_away", "haggle"]
    for n in range(steps):
        now += data.draw(st.sampled_from([0.5, 1, 3, 9]))
        due = rules.due(state, now)
        if due and data.draw(st.integers(0, 3)):
            events += due
            state = rules.replay(state, due)
        seat = data.draw(st.sampled_from([*ROLES * 3, rules.MIDDLE, rules.MIDDLE, "outsider"]))
        kind = data.draw(st.sampled_from(kinds))
        body = payload(data.draw, rules, state, kind, seat, n)
        was_open = state.is_open
        try:
            made = rules.apply(state, seat, rules.parse_action(kind, body), now)
        except RuleError as e:
            assert e.code in CODES, (kind, e.code, e.message)
            if not was_open and seat != "outsider":
                assert e.code in ("bad_request", "not_negotiating"), e.code
            continue
        assert was_open and rules.due(state, now) == [], "an action on an ended negotiation"
        events += made
        state = rules.replay(state, made)
        # the fold of the log is the state: every seat's view agrees
        again = rules.replay(start, events)
        for s in state.seats:
            assert rules.view(again, s) == rules.view(state, s)
        items = state.proposals if rules is mediated else state.drafts
        assert len(items) <= state.max_offers
        if state.is_open:
            check_privacy(rules, state, events)
        if state.status == "agreed":
            deal = items[-1]
            assert state.outcome.package == deal.package
            if rules is mediated:
                assert all(deal.answers[r]["accept"] for r in ROLES)
            else:
                assert set(deal.endorsed) == set(ROLES)
    # what the runs reached (pytest --hypothesis-show-statistics)
    event(f"ended {state.status}")
    if rules is mediated and any(e["type"] == "confided" for e in events):
        event("a party confided")
    return state, events


@PROPS
@given(sc=scenarios(), data=st.data())
def test_mediated_random_play_keeps_its_rules_and_privacy(sc, data):
    play(mediated, sc, data, steps=data.draw(st.integers(5, 60)))


@PROPS
@given(sc=scenarios(), data=st.data())
def test_single_text_random_play_keeps_its_rules_and_privacy(sc, data):
    play(single_text, sc, data, steps=data.draw(st.integers(5, 60)))
