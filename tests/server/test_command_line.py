"""The command line: what ``python run.py`` prints, the instructor key, ``export``."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support import ROOT, Server, free_port, scenario_dict


class Launch:
    """``python run.py ARGS`` in ``cwd``, with or without PARLEY_INSTRUCTOR_KEY."""

    def __init__(
        self,
        cwd: Path,
        args: list[str],
        key: str | None,
        port: int,
        python_options: tuple[str, ...] = (),
        extra_env: dict[str, str] | None = None,
    ):
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("PARLEY_INSTRUCTOR_KEY", "PYTHONWARNINGS")
        }
        env.update(extra_env or {})
        env["PYTHONUNBUFFERED"] = "1"
        if key is not None:
            env["PARLEY_INSTRUCTOR_KEY"] = key
        self.out = cwd / f"out-{time.monotonic_ns()}.txt"
        self.url = f"http://127.0.0.1:{port}"
        with open(self.out, "w") as f:
            self.proc = subprocess.Popen(
                [sys.executable, *python_options, str(ROOT / "run.py"), *args],
                cwd=cwd,
                env=env,
                stdout=f,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def text(self) -> str:
        return self.out.read_text()

    def wait_ready(self) -> str:
        """Wait until the server answers (or has printed all it prints); its output."""
        end = time.monotonic() + 30
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise AssertionError(f"run.py exited:\n{self.text()}")
            try:
                if requests.get(self.url + "/healthz", timeout=0.5).ok:
                    return self.text()
            except requests.RequestException:
                pass
            time.sleep(0.05)  # polling a port that is not open yet: nothing to await
        raise AssertionError(f"run.py did not start:\n{self.text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def printed(text: str, what: str) -> str:
    pattern = r"code\s+([A-Z2-9]{4,})" if what == "code" else rf"{what}\s+(\S+)"
    m = re.search(pattern, text)
    assert m, f"{what!r} not printed:\n{text}"
    return m.group(1)


def serve(tmp_path: Path, port: int, key: str | None, db: str = "class.db") -> Launch:
    return Launch(tmp_path, ["serve", "--port", str(port), "--db", db], key, port)


def test_without_the_environment_variable_a_key_is_made_kept_and_printed(tmp_path):
    port = free_port()
    first = serve(tmp_path, port, None)
    try:
        out = first.wait_ready()
    finally:
        first.stop()
    key = printed(out, "Instructor key:")
    assert len(key) >= 12
    # kept in the database
    with sqlite3.connect(tmp_path / "class.db") as db:
        values = [r[0] for r in db.execute("SELECT value FROM meta")]
    assert key in values

    # the next start prints the same key, and the API takes it
    second = serve(tmp_path, port, None)
    try:
        out = second.wait_ready()
        assert printed(out, "Instructor key:") == key
        ok = requests.get(
            second.url + "/api/scenarios", headers={"Authorization": f"Bearer {key}"}, timeout=10
        )
        assert ok.status_code == 200
        wrong = requests.get(
            second.url + "/api/scenarios", headers={"Authorization": "Bearer nope"}, timeout=10
        )
        assert wrong.status_code == 401
    finally:
        second.stop()

    # the environment variable wins when set
    third = serve(tmp_path, port, "from-the-environment")
    try:
        out = third.wait_ready()
        assert printed(out, "Instructor key:") == "from-the-environment"
        h = {"Authorization": "Bearer from-the-environment"}
        assert requests.get(third.url + "/api/scenarios", headers=h, timeout=10).status_code == 200
        h = {"Authorization": f"Bearer {key}"}
        assert requests.get(third.url + "/api/scenarios", headers=h, timeout=10).status_code == 401
    finally:
        third.stop()


def test_serve_prints_the_urls_the_key_and_a_demo_session_code(tmp_path):
    port = free_port()
    launch = serve(tmp_path, port, "k-demo")
    try:
        out = launch.wait_ready()
        assert f"localhost:{port}/" in out or f"127.0.0.1:{port}/" in out
        assert re.search(rf":{port}/instructor", out), out
        assert "k-demo" in out
        code = printed(out, "code")
        assert not set(code) & set("0O1I")
        r = requests.post(
            f"{launch.url}/api/sessions/{code}/join", json={"name": "Demo"}, timeout=10
        )
        assert r.status_code == 201
        h = {"Authorization": "Bearer k-demo"}
        view = requests.get(f"{launch.url}/api/sessions/{code}", headers=h, timeout=10).json()
        assert view["scenario"]["id"] == "job-offer"
    finally:
        launch.stop()
    # a restart keeps the demo session rather than making another
    again = serve(tmp_path, port, "k-demo")
    try:
        out = again.wait_ready()
        assert printed(out, "code") == code
        h = {"Authorization": "Bearer k-demo"}
        sessions = requests.get(f"{again.url}/api/sessions", headers=h, timeout=10).json()
        assert [s["code"] for s in sessions] == [code]
    finally:
        again.stop()


def test_run_py_without_arguments_serves_and_prints_everything(tmp_path):
    """``python run.py``: all defaults (port 5000, parley.db in the working folder)."""
    launch = Launch(tmp_path, [], None, 5000)
    try:
        end = time.monotonic() + 30
        while "Database" not in launch.text() and time.monotonic() < end:
            assert launch.proc.poll() is None, launch.text()
            time.sleep(0.05)  # the subprocess's output is a file: poll it
        out = launch.text()
    finally:
        launch.stop()
    assert "localhost:5000/" in out or "127.0.0.1:5000/" in out, out
    assert re.search(r":5000/instructor", out), out
    key = printed(out, "Instructor key:")
    code = printed(out, "code")
    db = tmp_path / "parley.db"
    assert db.exists()
    with sqlite3.connect(db) as conn:
        assert key in [r[0] for r in conn.execute("SELECT value FROM meta")]
        assert [r[0] for r in conn.execute("SELECT code FROM sessions")] == [code]


def test_serve_plays_the_scenarios_of_the_folder_it_is_given(tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "mine.json").write_text(json.dumps(scenario_dict(id="folder-case")))
    server = Server(tmp_path / "srv", scenarios=folder).start()
    try:
        assert server.upload(scenario_dict(id="uploaded-case")).status_code == 201
        server.restart()
        ids = {s["id"] for s in server.api("GET", "/api/scenarios").json()}
        assert ids == {"folder-case", "uploaded-case"}
    finally:
        server.stop()


def test_serve_refuses_a_folder_with_an_invalid_scenario(tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    bad = scenario_dict(id="broken")
    bad["issues"][0]["colour"] = "red"
    (folder / "broken.json").write_text(json.dumps(bad))
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "run.py"),
            "serve",
            "--port",
            str(free_port()),
            "--db",
            str(tmp_path / "x.db"),
            "--scenarios",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "PARLEY_INSTRUCTOR_KEY"},
    )
    assert done.returncode != 0
    assert "issues[0].colour: unknown key" in done.stdout + done.stderr


def test_options_without_a_command_serve_exactly_as_serve_does(tmp_path):
    """``python run.py --port P ...`` is ``python run.py serve --port P ...``."""
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "mine.json").write_text(json.dumps(scenario_dict(id="folder-case")))
    ports = free_port(), free_port()
    launches = [
        Launch(
            tmp_path,
            [
                *(["serve"] if n else []),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--db",
                f"class-{n}.db",
                "--scenarios",
                str(folder),
            ],
            "k-same",
            port,
        )
        for n, port in enumerate(ports)
    ]
    try:
        outs = [launch.wait_ready() for launch in launches]
        for launch in launches:
            h = {"Authorization": "Bearer k-same"}
            ids = {s["id"] for s in requests.get(launch.url + "/api/scenarios", headers=h).json()}
            assert ids == {"folder-case"}
    finally:
        for launch in launches:
            launch.stop()
    for n in (0, 1):
        assert (tmp_path / f"class-{n}.db").exists()
    # the same lines, but for the port and the database's name (no demo session: the folder
    # has no job-offer)
    same = [
        out.replace(str(port), "PORT").replace(f"class-{n}.db", "DB")
        for n, (out, port) in enumerate(zip(outs, ports, strict=True))
    ]
    assert same[0] == same[1]
    assert "Demo session" not in same[0]
    assert "http://localhost:PORT/instructor" in same[0], same[0]


def test_an_unknown_option_or_command_exits_2_naming_it(tmp_path):
    for args, named in (
        (["--bogus"], "--bogus"),
        (["--port", "many"], "many"),
        (["nope"], "nope"),
    ):
        done = subprocess.run(
            [sys.executable, str(ROOT / "run.py"), *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert named in done.stderr, done.stderr
    assert list(tmp_path.iterdir()) == []  # no database made


EVENTLET_NOTICE = "Eventlet is deprecated"


def test_the_eventlet_warning_is_hidden_unless_warnings_are_asked_for(tmp_path):
    port = free_port()
    plain = Launch(tmp_path, ["--port", str(port), "--db", "a.db"], "k", port)
    try:
        out = plain.wait_ready()
    finally:
        plain.stop()
    assert "Parley is running." in out
    assert EVENTLET_NOTICE not in out and "Warning" not in out, out

    shown = Launch(
        tmp_path, ["--port", str(port), "--db", "a.db"], "k", port, python_options=("-W", "default")
    )
    try:
        out = shown.wait_ready()
    finally:
        shown.stop()
    assert EVENTLET_NOTICE in out and "EventletDeprecationWarning" in out, out
    assert "Parley is running." in out

    by_environment = Launch(
        tmp_path,
        ["--port", str(port), "--db", "a.db"],
        "k",
        port,
        extra_env={"PYTHONWARNINGS": "default"},
    )
    try:
        out = by_environment.wait_ready()
    finally:
        by_environment.stop()
    assert EVENTLET_NOTICE in out, out


def test_on_the_whole_network_the_printed_urls_use_the_lan_address(tmp_path):
    """``--host 0.0.0.0``: this machine's first non-loopback IPv4 address by its host name, or
    ``localhost`` when it has none (docs/deployment.md)."""
    import socket

    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        infos = []
    lan = [i[4][0] for i in infos if not i[4][0].startswith("127.")]
    host = lan[0] if lan else "localhost"
    port = free_port()
    launch = Launch(tmp_path, ["--host", "0.0.0.0", "--port", str(port)], "k", port)
    try:
        out = launch.wait_ready()
    finally:
        launch.stop()
    assert f"Students:    http://{host}:{port}/\n" in out, out
    assert f"Instructor:  http://{host}:{port}/instructor\n" in out, out
