"""Every registered protocol provides the interface game/core/protocols/__init__.py documents,
and the shell listens to every student action of every protocol."""

from __future__ import annotations

import pytest

from game.core import protocols

MEMBERS = ("NAME", "CONDITIONS", "ACTIONS", "new_state", "fold", "replay", "parse_action",
           "apply", "due", "end_by_instructor", "view", "suggest")  # fmt: skip


@pytest.mark.parametrize("name", protocols.names())
def test_a_protocol_provides_the_documented_interface(name):
    m = protocols.get(name)
    missing = [k for k in MEMBERS if not hasattr(m, k)]
    assert not missing, f"{name} lacks {missing}"
    assert name == m.NAME and m.CONDITIONS and m.ACTIONS
    for kind in m.ACTIONS:  # each action it lists is one it parses (a junk payload: bad_request)
        with pytest.raises(protocols.RuleError) as e:
            m.parse_action(kind, {"no such field": 1})
        assert e.value.code == "bad_request" and "unknown action" not in e.value.message


def test_the_shell_listens_to_every_protocols_actions():
    from game.server import realtime

    every = {a for name in protocols.names() for a in protocols.get(name).ACTIONS}
    assert set(realtime.ACTIONS) == every
    assert {"confide", "answer", "draft", "mark", "endorse", "decline"} <= every
