"""Test support: the real server in a subprocess on a free port, and a real Socket.IO player.

No monkey-patching happens in the pytest process: the server runs as ``python run.py serve`` in
its own process (eventlet, as in production); clients are python-socketio's threaded client.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
KEY = "test-instructor-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``python run.py serve`` on a free port with its own database; restartable."""

    def __init__(self, workdir: Path, *, scenarios: Path | None = None, key: str = KEY):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.db = self.workdir / "parley.db"
        self.scenarios = scenarios or ROOT / "scenarios"
        self.key = key
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log_path = self.workdir / "server.log"
        self.start_args: list[str] = []  # more options of ``serve`` (e.g. --agents FILE)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def start(self) -> Server:
        env = dict(os.environ, PARLEY_INSTRUCTOR_KEY=self.key, PYTHONUNBUFFERED="1")
        log = open(self.log_path, "a")  # noqa: SIM115 - kept open for the process's life
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "run.py"),
                "serve",
                "--port",
                str(self.port),
                "--db",
                str(self.db),
                "--scenarios",
                str(self.scenarios),
                *self.start_args,
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_path.read_text()}")
            try:
                if requests.get(self.url + "/healthz", timeout=0.5).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)  # polling a port that is not open yet: nothing to await
        raise RuntimeError(f"server did not start:\n{self.log_path.read_text()}")

    def kill(self) -> None:
        """SIGKILL, as a crash would: no clean shutdown."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> Server:
        self.kill()
        return self.start()

    # ------------------------------------------------------------ API helpers
    def api(
        self, method: str, path: str, *, key: str | None = "default", **kw
    ) -> requests.Response:
        headers = kw.pop("headers", {})
        if key == "default":
            headers.update(self.headers)
        elif key is not None:
            headers["Authorization"] = f"Bearer {key}"
        return requests.request(method, self.url + path, headers=headers, timeout=15, **kw)

    def upload(self, scenario: dict) -> requests.Response:
        return self.api("POST", "/api/scenarios", json=scenario)

    def create_session(self, **body) -> str:
        r = self.api("POST", "/api/sessions", json=body)
        assert r.status_code == 201, r.text
        return r.json()["code"]

    def join(self, code: str, name: str, **extra) -> dict:
        r = requests.post(
            f"{self.url}/api/sessions/{code}/join", json={"name": name, **extra}, timeout=15
        )
        assert r.status_code == 201, r.text
        return r.json()


class Player:
    """A real python-socketio client holding every ``state`` it was sent."""

    def __init__(self, server: Server, token: str, *, connect: bool = True):
        self.server = server
        self.token = token
        self.states: list[dict] = []
        self.cv = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("state", self._on_state)
        if connect:
            self.connect()

    def connect(self) -> Player:
        self.client.connect(
            self.server.url, auth={"token": self.token}, transports=["websocket"], wait_timeout=10
        )
        return self

    def _on_state(self, state: dict) -> None:
        with self.cv:
            self.states.append(state)
            self.cv.notify_all()

    @property
    def state(self) -> dict:
        with self.cv:
            return self.states[-1] if self.states else {}

    @property
    def neg(self) -> dict:
        return self.state.get("negotiation") or {}

    def wait(self, pred, timeout: float = 20) -> dict:
        """The first state (from now on or already last) for which ``pred`` holds; ``timeout``
        is a liveness bound (generous: a loaded machine is slow, never wrong)."""
        end = time.monotonic() + timeout
        with self.cv:
            while True:
                if self.states and pred(self.states[-1]):
                    return self.states[-1]
                left = end - time.monotonic()
                if left <= 0:
                    last = json.dumps(self.states[-1])[:800] if self.states else None
                    raise AssertionError(f"no matching state within {timeout}s; last: {last}")
                self.cv.wait(left)

    def wait_phase(self, phase: str, timeout: float = 20) -> dict:
        return self.wait(lambda s: s.get("phase") == phase, timeout)

    def call(self, event: str, data: Any = None, timeout: float = 20) -> dict:
        return self.client.call(event, data, timeout=timeout)

    def close(self) -> None:
        try:
            self.client.disconnect()
        except Exception:
            pass


def scenario_dict(**over) -> dict:
    """A small scenario made here: 4 issues, integer points, room for MESOs."""
    pts = {
        "price": [(0, 900), (300, 600), (600, 300), (900, 0)],
        "delivery": [(0, 400), (150, 200), (300, 0)],
        "warranty": [(200, 0), (100, 300), (0, 600)],
        "training": [(0, 0), (100, 100)],
    }
    issues = [
        {
            "id": k,
            "name": k.title(),
            "options": [
                {"id": f"{k}{n}", "label": f"{k.title()} {n}", "points": {"seller": a, "buyer": b}}
                for n, (a, b) in enumerate(v)
            ],
        }
        for k, v in pts.items()
    ]
    data = {
        "id": "test-supply",
        "title": "Test supply deal",
        "description": "A test.",
        "roles": [
            {"id": "seller", "name": "Seller", "brief": "SELLER-BRIEF-SECRET", "batna": 300},
            {"id": "buyer", "name": "Buyer", "brief": "BUYER-BRIEF-SECRET", "batna": 250},
        ],
        "issues": issues,
        "first_mover": "seller",
        "max_packages": 3,
        "meso_tolerance": 50,
        "time_limit_s": None,
        "max_offers": 8,
    }
    data.update(over)
    return data


# --------------------------------------------------------------- the "hire" case of the unit tests
# Two issues, points (employer, candidate) per package in the comments; scoring and debrief tests
# play it through the real rules.
HIGH_SOON = {"salary": "high", "start": "soon"}  # (110, 0)
HIGH_LATE = {"salary": "high", "start": "late"}  # (60, 40)
MID_SOON = {"salary": "mid", "start": "soon"}  # (80, 30)
MID_LATE = {"salary": "mid", "start": "late"}  # (30, 70)
LOW_SOON = {"salary": "low", "start": "soon"}  # (50, 40)
LOW_LATE = {"salary": "low", "start": "late"}  # (0, 80)


def hire_option(oid: str, e: float, c: float) -> dict:
    return {"id": oid, "label": oid.title(), "points": {"employer": e, "candidate": c}}


def hire_doc(**overrides) -> dict:
    """The "hire" scenario: salary (high/mid/low) and start (soon/late), BATNAs (20, 10)."""
    doc = {
        "id": "hire",
        "title": "Hire",
        "description": "",
        "roles": [
            {"id": "employer", "name": "Employer", "brief": "", "batna": 20},
            {"id": "candidate", "name": "Candidate", "brief": "", "batna": 10},
        ],
        "issues": [
            {
                "id": "salary",
                "name": "Salary",
                "options": [
                    hire_option("high", 60, 0),
                    hire_option("mid", 30, 30),
                    hire_option("low", 0, 40),
                ],
            },
            {
                "id": "start",
                "name": "Start",
                "options": [hire_option("soon", 50, 0), hire_option("late", 0, 40)],
            },
        ],
        "first_mover": "employer",
        "max_packages": 3,
        "meso_tolerance": 20,
        "time_limit_s": 900,
        "max_offers": 12,
    }
    doc.update(overrides)
    return doc
