"""The columns of the research tables (PROTOCOL.md section 5, and section 6's additions), in
their order; docs/data-dictionary.md describes each. :mod:`game.server.export` fills them."""

from __future__ import annotations

NEGOTIATION_COLUMNS = [
    "negotiation_id",
    "session_code",
    "scenario_id",
    "condition",
    "condition_index",
    "round",
    "role_0",
    "role_1",
    "participant_0",
    "participant_1",
    "status",
    "end_reason",
    "agreement",
    "points_0",
    "points_1",
    "joint",
    "max_joint",
    "pareto_optimal",
    "offers_count",
    "started_at",
    "ended_at",
    "deadline_at",
    "max_offers",
]
OFFER_COLUMNS = [
    "offer_id",
    "negotiation_id",
    "session_code",
    "seq",
    "proposer_role",
    "recipient_role",
    "proposer_participant_id",
    "package_index",
    "packages_in_offer",
    "package",
    "proposer_points",
    "recipient_points",
    "points_0",
    "points_1",
    "joint",
    "based_on_offer_id",
    "based_on_package",
    "accepted",
    "created_at",
]
EVENT_COLUMNS = [
    "event_id",
    "session_code",
    "negotiation_id",
    "participant_id",
    "type",
    "payload",
    "created_at",
]
PARTICIPANT_COLUMNS = [
    "participant_id",
    "session_code",
    "name",
    "label",
    "joined_at",
    "kind",
    "strategy",
    "params",
    "external_id",
    "consented_at",
    "completion",
    "completed_at",
]
# the documented additions of 2026-11-30 to tables that existed before (PROTOCOL.md section 6):
# ``option_<issue id>`` in offers and these (the agents' kind, strategy, params; the study's)
NEW_COLUMNS = {
    "participants": [
        "kind", "strategy", "params", "external_id", "consented_at", "completion", "completed_at",
    ]
}  # fmt: skip
