"""The new session form's protocol and middle seat (the ``protocol``, ``middle`` and ``rotate``
settings, docs/protocols.md): which conditions a protocol offers and who sits in the middle."""

from __future__ import annotations

from typing import Any

from game.core import protocols

THIRD_PARTY_FORM = {"protocol": protocols.DEFAULT, "middle": "players", "rotate": False}
PROTOCOLS = {
    "offers": (
        "Direct offers",
        "The two parties send each other offers, under the conditions chosen below.",
    ),
    "mediated": (
        "Mediated negotiation",
        "A mediator between the parties: each party chats with the mediator alone and may confide "
        "its priorities; the mediator proposes packages both answer.",
    ),
    "single_text": (
        "Single negotiating text",
        "A facilitator posts a draft agreement; the parties mark each issue acceptable or to be "
        "changed; the facilitator revises it until both endorse the same draft.",
    ),
    protocols.MIXED: (
        "Mixed: compare protocols",
        "Conditions from every protocol, assigned in balanced random order; the debrief compares "
        "them side by side. With a student in the middle, direct conditions are played in pairs "
        "and mediated or single-text ones in trios.",
    ),
}
MIDDLES = {
    "players": (
        "A student",
        "Students form trios: two parties and the mediator or facilitator (on arrival, three at "
        "a time; in rounds, the remainder of a round sits out). Mixed with direct conditions: "
        "pairs for those, trios for the others, everyone seated in rounds.",
    ),
    "computer": (
        "The computer",
        "The computer mediator or facilitator (rules in docs/protocols.md); students play in pairs.",
    ),
    "instructor": (
        "You, the instructor",
        "Students play in pairs; you mediate or facilitate each negotiation from the live session "
        "page.",
    ),
}
CONDITIONS = ("single", "meso", "any", "mediated", "single_text")


def third_party_choices() -> dict[str, Any]:
    return {
        "protocol_choices": PROTOCOLS,
        "middle_choices": MIDDLES,
        "condition_protocols": {c: protocols.for_condition(c).NAME for c in CONDITIONS},
    }


def allowed_conditions(protocol: str) -> tuple[str, ...]:
    """The conditions a protocol offers on the form (every one for ``mixed`` or an unknown name,
    which the API then refuses at its field)."""
    if protocol in protocols.REGISTRY:
        return protocols.get(protocol).CONDITIONS
    return CONDITIONS


def third_party_fields(f: Any, body: dict) -> dict[str, Any]:
    """Read the form's protocol, middle seat and rotation into ``body``; the form's values to
    show again. The conditions are the caller's (filtered by :func:`allowed_conditions`)."""
    form = {
        "protocol": f.get("protocol", protocols.DEFAULT),
        "middle": f.get("middle", "players"),
        "rotate": bool(f.get("rotate")),
    }
    if form["protocol"] != protocols.DEFAULT:  # direct offers have no middle seat
        # (direct offers: no key, so the post-settlement phase's setting implies its protocol)
        body["protocol"] = form["protocol"]
        body["middle"] = form["middle"]
        body["rotate"] = form["rotate"]
    return form
