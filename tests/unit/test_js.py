"""The browser's pure JavaScript (static/js/shared/), tested by Node's own runner.

``node --test tests/js/`` imports the very files the pages load; this wrapper runs it so that
``./test.sh`` (pytest) covers them, and shows Node's report when a test fails.
"""

from __future__ import annotations

import shutil
import subprocess

from game.paths import ROOT


def test_the_node_tests_of_the_browser_code_pass():
    node = shutil.which("node")
    assert node, "Node.js (20 or later) is needed to test static/js: install the `nodejs` package"
    run = subprocess.run(
        [node, "--test", "tests/js/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report
    # the runner found the tests (an empty folder would pass with nothing run)
    assert "# fail 0" in report and "# pass 0" not in report, report
