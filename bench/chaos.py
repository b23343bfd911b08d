"""The long attacks of issue 10 (transport and store), against the real server on loopback.

Each phase starts a fresh ``python run.py serve`` (tests/support.py's Server), runs one attack
for a bounded time, and measures what a quiet participant sees meanwhile (a pair chatting every
0.2 s: p50/p99/max of its acknowledgements), how fast the server answers ``/healthz``, how much
its log and memory grew. tests/server/test_attacks.py runs short versions of the same attacks
as assertions; the numbers of a run are in docs/security.md.

    python bench/chaos.py [--phases quiet,frames,handshakes,slowloris,lock,rate,joins,keys,chat]
                          [--seconds 3] [--json out.json]

Phases:

- ``quiet``: no attack, the quiet pair's baseline for ``--seconds``.
- ``frames``: raw Engine.IO WebSockets with no token send ``42["x",`` as fast as they can for
  ``--seconds``, reconnecting each time the server closes them.
- ``handshakes``: 10,000 (``--handshakes``) Engine.IO polling handshakes that never send a Socket.IO connect;
  the server's RSS before, at the peak and 10 s later.
- ``slowloris``: 500 connections send half a request and then one byte a second.
- ``lock``: another process holds the database's write lock for 35 s while the pair chats.
- ``rate``: one token, 10 connections, each asking ``suggest`` as fast as it can for 5 s.
- ``joins``: 4 threads join one session as fast as they can for 10 s; the WAL after 5 s idle.
- ``keys``: wrong instructor keys as fast as one thread can for 5 s.
- ``chat``: one side of a pair chats 1,000 characters 19 times a second (inside the rate limit)
  for ``--seconds``, both sides reading; the server's RSS before and after, the largest state
  the reader got, and how many chats were taken before ``chat_limit``.
"""

from __future__ import annotations

import argparse
import json
import socket
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import websocket

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import Player, Server, scenario_dict  # noqa: E402

MB = 1024 * 1024
HANDSHAKES = 10_000  # --handshakes


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Quiet:
    """A pair in a negotiation, the seller chatting every 0.2 s; acknowledgement times."""

    def __init__(self, server: Server):
        code = server.create_session(scenario="test-supply")
        self.a = Player(server, server.join(code, "Quiet A")["token"])
        self.a.wait_phase("lobby")
        self.b = Player(server, server.join(code, "Quiet B")["token"])
        self.a.wait_phase("negotiating")
        self.times: list[float] = []
        self.codes: dict[str, int] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self) -> None:
        n = 0
        while not self.stop.wait(0.2):
            n += 1
            t = time.perf_counter()
            try:
                answer = self.a.call("chat", {"text": f"quiet {n}"}, timeout=30)
                code = "ok" if answer.get("ok") else answer["error"]["code"]
            except Exception as e:  # a lost answer is a result too
                code = type(e).__name__
            self.times.append(time.perf_counter() - t)
            self.codes[code] = self.codes.get(code, 0) + 1

    def finish(self) -> dict:
        self.stop.set()
        self.thread.join()
        connected = self.a.client.connected and self.b.client.connected
        self.a.close()
        self.b.close()
        ms = [t * 1000 for t in self.times]
        return {
            "quiet_p50_ms": round(pct(ms, 50), 1),
            "quiet_p99_ms": round(pct(ms, 99), 1),
            "quiet_max_ms": round(max(ms, default=float("nan")), 1),
            "quiet_answers": self.codes,
            "quiet_still_connected": connected,
        }


def healthz_ms(server: Server) -> float:
    t = time.perf_counter()
    try:
        requests.get(server.url + "/healthz", timeout=30)
    except requests.RequestException:
        return float("inf")
    return (time.perf_counter() - t) * 1000


class Probe:
    """/healthz every 0.25 s in a thread: the worst answer time."""

    def __init__(self, server: Server):
        self.server, self.times, self.stop = server, [], threading.Event()
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(0.25):
            self.times.append(healthz_ms(self.server))

    def finish(self) -> dict:
        self.stop.set()
        self.thread.join()
        return {"healthz_max_ms": round(max(self.times, default=float("nan")), 1)}


def start(workdir: Path, name: str) -> Server:
    s = Server(workdir / name).start()
    assert s.upload(scenario_dict()).status_code == 201
    return s


# ---------------------------------------------------------------- phases


def phase_quiet(s: Server, seconds: float) -> dict:
    """No attack: the quiet pair's baseline for as long as the frame flood lasts."""
    quiet, probe = Quiet(s), Probe(s)
    time.sleep(seconds)  # the quiet run's length
    return {**probe.finish(), **quiet.finish()}


def phase_frames(s: Server, seconds: float) -> dict:
    quiet, probe = Quiet(s), Probe(s)
    log0 = s.log_path.stat().st_size
    sent, conns = 0, 0
    end = time.time() + seconds
    while time.time() < end:
        try:
            ws = websocket.create_connection(
                f"ws://127.0.0.1:{s.port}/socket.io/?EIO=4&transport=websocket", timeout=5
            )
            conns += 1
            ws.recv()
            while time.time() < end:
                ws.send('42["x",')
                sent += 1
        except (websocket.WebSocketException, OSError):
            continue
    after = healthz_ms(s)
    return {
        "frames_sent": sent,
        "connections": conns,
        "healthz_after_ms": round(after, 1),
        "log_growth_bytes": s.log_path.stat().st_size - log0,
        **probe.finish(),
        **quiet.finish(),
    }


def phase_handshakes(s: Server, seconds: float) -> dict:
    pid = s.proc.pid
    before = rss_mb(pid)
    http = requests.Session()
    t = time.time()
    for _ in range(HANDSHAKES):
        http.get(f"{s.url}/socket.io/?EIO=4&transport=polling", timeout=10)
    took = time.time() - t
    peak = rss_mb(pid)
    time.sleep(10)  # the connect timeout (5 s) and a sweep: then the memory is measured
    return {
        "handshakes": HANDSHAKES,
        "seconds": round(took, 1),
        "rss_before_mb": round(before, 1),
        "rss_peak_mb": round(peak, 1),
        "rss_10s_later_mb": round(rss_mb(pid), 1),
        "healthz_after_ms": round(healthz_ms(s), 1),
    }


def phase_slowloris(s: Server, seconds: float) -> dict:
    quiet, probe = Quiet(s), Probe(s)
    socks = []
    for _ in range(500):
        c = socket.create_connection(("127.0.0.1", s.port))
        c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        c.setblocking(False)
        socks.append(c)
    t0 = time.time()
    open_ = set(range(len(socks)))
    while open_ and time.time() - t0 < 60:
        for i in list(open_):
            try:
                if socks[i].recv(1024) == b"":
                    open_.discard(i)
                    continue
            except BlockingIOError:
                pass
            except OSError:
                open_.discard(i)
                continue
            try:
                socks[i].send(b"a")
            except BlockingIOError:
                pass
            except OSError:
                open_.discard(i)
        time.sleep(1)  # one byte a second per connection: the attack's pace
    for c in socks:
        c.close()
    return {
        "connections": 500,
        "all_closed_after_s": round(time.time() - t0, 1),
        "still_open": len(open_),
        **probe.finish(),
        **quiet.finish(),
    }


def phase_lock(s: Server, seconds: float) -> dict:
    quiet, probe = Quiet(s), Probe(s)
    time.sleep(1)
    holder = sqlite3.connect(s.db, isolation_level=None, timeout=5)
    holder.execute("BEGIN IMMEDIATE")
    degraded = requests.get(s.url + "/healthz", timeout=30).json()
    time.sleep(35)  # the attack: the lock held for 35 s
    degraded = requests.get(s.url + "/healthz", timeout=30).json()
    holder.execute("ROLLBACK")
    holder.close()
    time.sleep(2)
    return {"held_s": 35, "healthz_during": degraded, **probe.finish(), **quiet.finish()}


def phase_rate(s: Server, seconds: float) -> dict:
    code = s.create_session(scenario="test-supply")
    token = s.join(code, "Greedy")["token"]
    conns = [Player(s, token) for _ in range(10)]
    counts = {"served": 0, "rate_limited": 0}
    lock = threading.Lock()
    end = time.time() + 5

    def flood(p: Player) -> None:
        while time.time() < end:
            answer = p.call("suggest", {}, timeout=10)
            key = "rate_limited" if answer["error"]["code"] == "rate_limited" else "served"
            with lock:
                counts[key] += 1

    threads = [threading.Thread(target=flood, args=(p,)) for p in conns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p in conns:
        p.close()
    return {"connections": 10, **counts, "served_per_s": round(counts["served"] / 5, 1)}


def phase_joins(s: Server, seconds: float) -> dict:
    code = s.create_session(scenario="test-supply")
    counts = {"joined": 0, "refused_429": 0}
    lock = threading.Lock()
    end = time.time() + 10

    def flood() -> None:
        http = requests.Session()
        # no cookies kept: a browser that keeps its device cookie gets its own seat back
        http.cookies.set_policy(http.cookies.get_policy().__class__(allowed_domains=[]))
        while time.time() < end:
            r = http.post(f"{s.url}/api/sessions/{code}/join", json={"name": "x"}, timeout=10)
            key = "joined" if r.status_code == 201 else "refused_429"
            with lock:
                counts[key] += 1

    threads = [threading.Thread(target=flood) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    time.sleep(5)
    wal = Path(str(s.db) + "-wal")
    return {**counts, "wal_after_5s_idle_mb": round(wal.stat().st_size / MB, 2)}


def phase_keys(s: Server, seconds: float) -> dict:
    counts: dict[int, int] = {}
    http = requests.Session()
    end = time.time() + 5
    while time.time() < end:
        r = http.get(s.url + "/api/sessions", headers={"Authorization": "Bearer nope"})
        counts[r.status_code] = counts.get(r.status_code, 0) + 1
    return {"tries": sum(counts.values()), "wrong_key_401": counts.get(401, 0), **{
        f"status_{k}": v for k, v in counts.items() if k != 401}}  # fmt: skip


def phase_chat(s: Server, seconds: float) -> dict:
    quiet, probe = Quiet(s), Probe(s)
    code = s.create_session(scenario="test-supply")
    a = Player(s, s.join(code, "Flood A")["token"])
    a.wait_phase("lobby")
    b = Player(s, s.join(code, "Flood B")["token"])
    a.wait_phase("negotiating")
    before = rss_mb(s.proc.pid)
    answers: dict[str, int] = {}
    start_t = time.time()
    n = 0
    while time.time() - start_t < seconds:
        answer = a.call("chat", {"text": "x" * 1000}, timeout=30)
        key = "ok" if answer.get("ok") else answer["error"]["code"]
        answers[key] = answers.get(key, 0) + 1
        n += 1
        time.sleep(max(0.0, start_t + n / 19 - time.time()))  # pacing: 19 a second
    after = rss_mb(s.proc.pid)
    biggest = max((len(json.dumps(x)) for x in b.states), default=0)
    a.close()
    b.close()
    return {
        "chats": n,
        "answers": answers,
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
        "largest_state_bytes": biggest,
        **probe.finish(),
        **quiet.finish(),
    }


PHASES = {
    "quiet": phase_quiet,
    "frames": phase_frames,
    "handshakes": phase_handshakes,
    "slowloris": phase_slowloris,
    "lock": phase_lock,
    "rate": phase_rate,
    "joins": phase_joins,
    "keys": phase_keys,
    "chat": phase_chat,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--phases", default=",".join(PHASES))
    ap.add_argument("--seconds", type=float, default=3.0, help="the frame flood's length (3)")
    ap.add_argument("--json", default=None, help="also write the results here")
    ap.add_argument("--handshakes", type=int, default=10_000, help="(10,000)")
    args = ap.parse_args(argv)
    global HANDSHAKES
    HANDSHAKES = args.handshakes
    workdir = Path(tempfile.mkdtemp(prefix="parley-chaos-"))
    results = {}
    for name in args.phases.split(","):
        s = start(workdir, name)
        try:
            results[name] = PHASES[name](s, args.seconds)
        finally:
            s.stop()
        print(name, json.dumps(results[name]), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
