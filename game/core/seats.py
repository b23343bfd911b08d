"""Seats: who may take a seat, what the instructor is warned of, and when a round's debrief opens.

Pure decisions over the hub's records (read only). Issue 10: one browser could join a session
again and again, pair its seats with each other and read the other role's brief and points; and
a pair that ended early saw both sides' numbers while the rest of its round still negotiated.

- A browser carries a device cookie (``parley_device``, HttpOnly, set by the join page and the
  join API); the hub keeps only :func:`device_hash` of it. In a session without
  ``multiple_seats`` a second join from the same device gets the seat it already holds.
- :func:`flags` marks seats whose name or device another seat of the session shares.
- :func:`debrief_open`: in a session with ``debrief: "round_end"`` a negotiation's debrief (the
  other role's numbers) opens once every negotiation of its round has ended, or when the
  instructor opens that round's debrief.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

DEVICE_COOKIE = "parley_device"
DEVICE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def device_hash(cookie: Any) -> str | None:
    """What the hub keeps of a device cookie (never the cookie itself); None if malformed."""
    if not isinstance(cookie, str) or not DEVICE_RE.match(cookie):
        return None
    return hashlib.sha256(cookie.encode()).hexdigest()[:32]


def name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _named(p: Any) -> bool:
    """Whether a participant chose its name: not a computer counterpart, nor a study's
    participant (who enters with a panel id and is given a name)."""
    return getattr(p, "kind", "human") != "agent" and not getattr(p, "external_id", None)


def flags(parts: Iterable[Any]) -> dict[str, list[str]]:
    """For each participant id, what it shares with another seat: ``name`` (among those who
    chose their names), ``device``."""
    parts = list(parts)
    names = Counter(name_key(p.name) for p in parts if _named(p))
    devices = Counter(p.device for p in parts if p.device)
    out: dict[str, list[str]] = {}
    for p in parts:
        f = []
        if _named(p) and names[name_key(p.name)] > 1:
            f.append("name")
        if p.device and devices[p.device] > 1:
            f.append("device")
        out[p.id] = f
    return out


def debrief_open(session: Any, n: Any) -> bool:
    """May the participants of ``n`` (ended) see the debrief, the other role's numbers?"""
    return session.debrief != "round_end" or n.round == 0 or n.round in session.debrief_open


def round_closed(negotiations: Iterable[Any], round_no: int) -> bool:
    """Has every negotiation of round ``round_no`` ended (and is there one)?"""
    found = False
    for n in negotiations:
        if n.round == round_no:
            if n.state.is_open:
                return False
            found = True
    return found
