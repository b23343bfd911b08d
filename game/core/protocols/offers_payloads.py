"""The offers protocol's payloads: each action's type, shape and size checked before any rule.

:func:`parse_action` knows nothing of the negotiation's state; it is part of the protocol's
interface (``game.core.protocols.offers.parse_action``).
"""

from __future__ import annotations

from typing import Any

from game.core.protocols.common import RuleError

MAX_CHAT = 1000  # characters in one message
# A negotiation's whole chat: past either cap, ``chat`` is answered ``chat_limit`` (issue 10: an
# unbounded chat grew the server by a gigabyte). 300 messages is one every 12 s for an hour.
MAX_CHAT_MESSAGES = 300
MAX_CHAT_CHARS = 60_000
# A participant's ``state`` carries only the last CHAT_SHOWN messages and ``chat_total``.
CHAT_SHOWN = 50
MAX_PAYLOAD_PACKAGES = 10  # more than this is a malformed payload, not a rule question
MAX_ID_LEN = 100


def bad_request(message: str) -> RuleError:
    return RuleError("bad_request", message)


def _check_package_shape(p: Any, where: str) -> dict:
    if not isinstance(p, dict):
        raise bad_request(f"{where} must be an object of issue id to option id")
    if len(p) > 100:
        raise bad_request(f"{where} has too many keys")
    for k, v in p.items():
        if (
            not isinstance(k, str)
            or not isinstance(v, str)
            or len(k) > MAX_ID_LEN
            or len(v) > MAX_ID_LEN
        ):
            raise bad_request(f"{where} must map issue ids to option ids (strings)")
    return p


def _check_index(x: Any, where: str) -> int:
    if not isinstance(x, int) or isinstance(x, bool) or x < 0:
        raise bad_request(f"{where} must be a package index (a whole number from 0)")
    return x


def check_id(x: Any, where: str, what: str = "an id") -> str:
    """``x`` if it is an id (a non-empty string of at most MAX_ID_LEN characters); else
    bad_request saying ``where`` must be ``what``."""
    if not isinstance(x, str) or not x or len(x) > MAX_ID_LEN:
        raise bad_request(f"{where} must be {what} (a string)")
    return x


def _check_offer_id(x: Any, where: str) -> str:
    return check_id(x, where, "an offer id")


def parse_action(kind: str, payload: Any) -> dict:
    """Check a client payload's type, shape and size; the action as a clean dict.

    Raises RuleError('bad_request') naming what is wrong. Knows nothing of the state.
    """
    if payload is None and kind == "walk_away":
        payload = {}
    if not isinstance(payload, dict):
        raise bad_request("the payload must be a JSON object")
    if kind == "propose":
        unknown = set(payload) - {"packages", "based_on"}
        if unknown:
            raise bad_request(f"unknown field {sorted(unknown)[0]!r}")
        packages = payload.get("packages")
        if not isinstance(packages, list):
            raise bad_request("packages must be a list of packages")
        if len(packages) > MAX_PAYLOAD_PACKAGES:
            raise bad_request(f"packages: at most {MAX_PAYLOAD_PACKAGES} in a payload")
        packages = [_check_package_shape(p, f"packages[{n}]") for n, p in enumerate(packages)]
        based_on = payload.get("based_on")
        if based_on is not None:
            if not isinstance(based_on, dict) or set(based_on) - {"offer_id", "package"}:
                raise bad_request("based_on must be an object with offer_id and package")
            based_on = {
                "offer_id": _check_offer_id(based_on.get("offer_id"), "based_on.offer_id"),
                "package": _check_index(based_on.get("package"), "based_on.package"),
            }
        return {"type": "propose", "packages": packages, "based_on": based_on}
    if kind == "accept":
        unknown = set(payload) - {"offer_id", "package"}
        if unknown:
            raise bad_request(f"unknown field {sorted(unknown)[0]!r}")
        return {
            "type": "accept",
            "offer_id": _check_offer_id(payload.get("offer_id"), "offer_id"),
            "package": _check_index(payload.get("package"), "package"),
        }
    if kind == "walk_away":
        if payload:
            raise bad_request(f"unknown field {sorted(map(str, payload))[0]!r}")
        return {"type": "walk_away"}
    if kind == "chat":
        unknown = set(payload) - {"text"}
        if unknown:
            raise bad_request(f"unknown field {sorted(unknown)[0]!r}")
        text = payload.get("text")
        if not isinstance(text, str):
            raise bad_request("text must be a string")
        text = text.strip()
        if not 1 <= len(text) <= MAX_CHAT:
            raise bad_request(f"text must be 1 to {MAX_CHAT} characters")
        return {"type": "chat", "text": text}
    raise bad_request(f"unknown action {kind!r}")
