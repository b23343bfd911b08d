"""Simulation: how close to the Pareto frontier each process with a computer in the middle ends.

Plays every shipped scenario with the computer facilitator (single negotiating text) and the
computer mediator (parties confiding all their issues, or the top half), and, for comparison,
the direct offers protocol, with the same parties: issue 11's agents, every ordered pair of the
time-based strategies boulware, linear and conceder (game/core/middle_sim.py), through the
protocols' rules.

    python bench/third_party.py              # the table of docs/protocols.md
    python bench/third_party.py SCENARIO_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from game.core import middle_sim  # noqa: E402
from game.core.scenario import load_dir  # noqa: E402
from game.paths import ROOT  # noqa: E402


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else ROOT / "scenarios"
    print(middle_sim.table(middle_sim.run(load_dir(folder))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
