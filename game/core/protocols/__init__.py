"""Negotiation protocols: how a negotiation is played, as pure functions over its events.

A session names its protocol (``protocol`` in its settings, default ``"offers"``, stored with the
session); the hub looks the module up with :func:`get` and plays every negotiation of the session
through it, so adding a protocol (post-settlement, a single negotiating text, a mediator...) adds
a module here and an entry in :data:`REGISTRY`, and changes no hub code.

Two are registered: :mod:`game.core.protocols.offers`, alternating offers of one package or of
several equivalent packages (the contract's conditions ``single``, ``meso`` and ``any``), and
:mod:`game.core.protocols.pss`, the same followed after a deal by a post-settlement phase.

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
- ``end_by_instructor(state, now) -> list[dict]``: the instructor calls time.
- ``view(state, role, *, partner, analysis=None) -> dict``: what one role is shown.
- ``answer(events) -> dict``: the acknowledgement of an action that made ``events``.
- ``suggest(state, role, payload) -> dict``: the answer to a ``suggest`` request (a protocol
  without suggestions answers ``bad_request``).

A ``State`` has at least ``id``, ``scenario``, ``condition``, ``deadline``, ``started_at``,
``ended_at``, ``is_open``, ``status`` (open | agreed | impasse), ``turn`` and ``outcome`` (None
while open, else ``reason``, ``package``, ``points`` by role index and ``by``).
"""

from __future__ import annotations

from types import ModuleType

from game.core.protocols import offers, pss
from game.core.protocols.common import RuleError

DEFAULT = "offers"
REGISTRY: dict[str, ModuleType] = {offers.NAME: offers, pss.NAME: pss}

__all__ = ["DEFAULT", "REGISTRY", "RuleError", "actions", "get", "names"]


def names() -> list[str]:
    return sorted(REGISTRY)


def get(name: str | None = None) -> ModuleType:
    """The protocol module called ``name`` (the default when None); KeyError if unknown."""
    return REGISTRY[name or DEFAULT]


def actions() -> list[str]:
    """Every student action of every protocol, for the shell to listen to."""
    return sorted({a for m in REGISTRY.values() for a in m.ACTIONS})
