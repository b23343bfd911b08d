"""Negotiation protocols: how a negotiation is played, as pure functions over its events.

A session names its protocol (``protocol`` in its settings, default ``"offers"``, stored with the
session); the hub looks the module up with :func:`get` and plays every negotiation of the session
through it, so adding a protocol (post-settlement, a single negotiating text, a mediator...) adds
a module here and an entry in :data:`REGISTRY`, and changes no hub code.

Three are registered: :mod:`game.core.protocols.offers`, alternating offers of one package or
of several equivalent packages (the contract's conditions ``single``, ``meso`` and ``any``);
:mod:`game.core.protocols.mediated` and :mod:`game.core.protocols.single_text`, with a third
seat in the middle (docs/protocols.md); and :mod:`game.core.protocols.pss`, the offers
protocol followed after a deal by a post-settlement phase (registered last, so a condition
belongs to ``offers`` in a mixed session).

Seats: a protocol's state may have ``seats`` (a tuple of seat ids: the two roles, then the
middle seat's name, the module's ``MIDDLE``); a state without it has the scenario's two roles
as its seats (:func:`seats`). ``apply`` and ``view`` take a seat id where they take a role, and
``view`` of a protocol with a middle seat takes ``others`` (seat id to ``{name, connected}``)
instead of ``partner``.

The interface a protocol module provides (the hub and the shell use nothing else of it):

- ``NAME: str`` and ``CONDITIONS: tuple[str, ...]``, the conditions a session may ask for.
- ``ACTIONS: tuple[str, ...]``: the Socket.IO events a student may send (the shell registers
  the union of every protocol's).
- ``parse_options(value) -> (options, errors)`` (optional): the protocol's own session setting
  (``OPTION_KEY`` names it in the request, e.g. ``post_settlement``); stored with the session
  and given back to ``new_state`` as ``options``.
- ``new_state(negotiation_id, scenario, condition, *, started_at, max_offers=None,
  time_limit_s=None, deadline=None, options=None) -> State``: a negotiation just paired.
- ``fold(state, event) -> State`` and ``replay(state, events) -> State``: a state is the fold of
  its events (JSON-able dicts with ``type`` and ``at``), so recovery replays the stored log.
- ``parse_action(kind, payload) -> dict``: check a client payload's shape (knows no state);
  raises :class:`RuleError` ``bad_request``.
- ``apply(state, role, action, now) -> list[dict]``: the events an action causes, or
  :class:`RuleError` with the contract's code. Never reads the clock.
- ``due(state, now) -> list[dict]``: events the server makes by itself (a passed deadline).
- ``end_by_instructor(state, now) -> list[dict]``: the instructor ends it (reason ``instructor``).
- ``view(state, role, *, partner, analysis=None) -> dict``: what one role is shown.
- ``answer(events) -> dict``: the acknowledgement of an action that made ``events``.

A session may also mix protocols as conditions (``"protocol": "mixed"``): each negotiation is
played by its condition's protocol (:func:`for_condition`, :func:`of`), so the hub always asks
``of(state)``, never the session, which protocol plays a negotiation.
- ``suggest(state, role, payload) -> dict``: the answer to a ``suggest`` request (a protocol
  without suggestions answers ``bad_request``).

A ``State`` has at least ``id``, ``scenario``, ``condition``, ``deadline``, ``started_at``,
``ended_at``, ``is_open``, ``status`` (open | agreed | impasse), ``turn`` and ``outcome`` (None
while open, else ``reason``, ``package``, ``points`` by role index and ``by``).
"""

from __future__ import annotations

from types import ModuleType

from game.core.protocols import mediated, offers, pss, single_text
from game.core.protocols.common import RuleError

DEFAULT = "offers"
REGISTRY: dict[str, ModuleType] = {m.NAME: m for m in (offers, mediated, single_text, pss)}

MIXED = "mixed"  # a session whose conditions belong to several protocols

__all__ = [
    "DEFAULT",
    "MIXED",
    "REGISTRY",
    "RuleError",
    "actions",
    "all_conditions",
    "for_condition",
    "get",
    "has_middle",
    "names",
    "of",
    "seats",
]


def for_condition(condition: str) -> ModuleType:
    """The protocol whose conditions include ``condition`` (each condition has one); KeyError."""
    for m in REGISTRY.values():
        if condition in m.CONDITIONS:
            return m
    raise KeyError(condition)


def of(state) -> ModuleType:
    """The protocol that plays a negotiation: its condition's."""
    return for_condition(state.condition)


def all_conditions() -> tuple[str, ...]:
    names = sorted(REGISTRY)
    return tuple(dict.fromkeys(c for name in names for c in REGISTRY[name].CONDITIONS))


def seats(state) -> tuple[str, ...]:
    """A negotiation's seats: the state's ``seats``, else the scenario's two roles."""
    return getattr(state, "seats", None) or state.scenario.role_ids


def has_middle(name: str | None, conditions=()) -> bool:
    """Whether the protocol called ``name`` (or, for ``mixed``, one of ``conditions``') has a
    middle seat (a mediator or facilitator)."""
    if name == MIXED:
        return any(hasattr(for_condition(c), "MIDDLE") for c in conditions)
    return hasattr(get(name), "MIDDLE")


def names() -> list[str]:
    return sorted(REGISTRY)


def get(name: str | None = None) -> ModuleType:
    """The protocol module called ``name`` (the default when None); KeyError if unknown."""
    return REGISTRY[name or DEFAULT]


def actions() -> list[str]:
    """Every student action of every protocol, for the shell to listen to."""
    return sorted({a for m in REGISTRY.values() for a in m.ACTIONS})
