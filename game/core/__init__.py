"""Parley's pure core: scenarios, outcome analysis (frontier, equivalence), negotiation protocols
(protocols/), request parsing, scoring, pairing decisions, views and debrief aggregates. No I/O:
nothing here imports Flask, Socket.IO or SQLite, and ``tests/unit/test_layers.py`` holds every
module to that."""
