"""Load benchmark: real Socket.IO clients play full negotiations against a real Parley server.

Three phases, each on its own freshly started server (a subprocess on a free port, a temporary
database), in one run:

1. **relay**: the bare Flask-SocketIO relay of bench/relay.py (rooms of two; each ``offer`` is
   relayed to the partner) carries the same number of pairs, offers and accepts at the same
   pacing. This is the baseline.
2. **Parley**: ``python run.py serve``; the benchmark uploads its own scenario, creates a session
   (pairing ``arrival``, conditions ``["any"]``, no time limit, ``max_offers`` = rounds + 2),
   joins 2 x pairs participants over HTTP and connects them over Socket.IO (websocket). Once all
   are paired, each pair alternates ``propose`` for ``--rounds`` offers, then the recipient of the
   last offer accepts.
3. **burst**: ``--burst`` students join a fresh arrival session within ``--burst-window``
   seconds (HTTP join, then Socket.IO connect), and must all be paired.

Pacing (both servers alike): a client that receives its partner's offer waits a think time,
uniform in [0.5, 1.5] x ``--think`` seconds, then sends its next offer (the first mover starts
at a uniform time within ``--think`` of the common start). ``--think 0`` is ping-pong as fast
as the server answers: a saturation test rather than a load at a given rate.

Latency of an offer = (the partner's receive time of the ``state`` whose latest offer is that
offer) - (the proposer's time just before it sent ``propose``), matched by offer id; for the
relay, the partner's receive time of the relayed ``offer`` minus the send time. Every process
runs on this machine, so one clock (``time.perf_counter``, CLOCK_MONOTONIC) serves all.

Events lost: Parley: offers acknowledged whose ``state`` never reached the partner or the
proposer, offers shown to the partner whose acknowledgement never came, accepts acknowledged
without the final ``done`` state on both sides; relay: offers or accepts sent and never
received. The exit code is 1 if any event was lost or a phase failed (time goals only print
PASS/FAIL).

Clients: ``--procs`` processes, each running many ``socketio.AsyncClient`` on one asyncio loop
(needs aiohttp); their garbage collector is off while they negotiate (``--client-gc`` leaves it
on), so its pauses are not counted as the server's.

This machine may be shared: the table shows the CPU taken by everything else during each
phase ("others"), ``--wait-quiet`` waits for an idle machine before each phase, and
``--repeat N`` runs everything N times (alternating which server goes first) and judges the
goals on the medians.

Diagnostics: ``--phases`` may add ``tuned-relay`` (bench/relay.py ``--tuned``: the bare relay
with the transport settings Parley's server takes for its students) and ``state-relay``
(bench/relay.py ``--state-like``: the relay sends Parley's messages and bytes, without its
rules and database); ``--server-cmd`` and
``--relay-cmd`` start a variant server; ``--dump DIR`` writes every offer's (send time, latency);
``--profile DIR`` records the Parley server with py-spy (folded stacks, idle included) during
the negotiations and prints where the server's time went (sampling perturbs that run).

    python bench/load.py                 # 200 pairs, burst of 400 (a few minutes)
    python bench/load.py --repeat 3      # the same three times, judged on the medians
    python bench/load.py --quick         # 20 pairs, burst of 40: a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import ctypes
import gc
import json
import math
import multiprocessing as mp
import os
import platform
import random
import resource
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench-instructor-key"
now = time.perf_counter  # CLOCK_MONOTONIC: the same clock in every process of this machine


# ---------------------------------------------------------------- process hygiene
def _die_with_parent() -> None:
    """Linux: this process gets SIGKILL when the process that started it dies."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def raise_open_files(want: int = 65536) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ticks(pid: int) -> float:
    """CPU seconds (user + system) used so far by one process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all cores, from /proc/stat."""
    try:
        vals = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
    return float(sum(vals) - idle), float(sum(vals))


def wait_quiet(limit: float, threshold: float = 20.0) -> float:
    """Wait up to ``limit`` seconds for 2 s in which the machine is busy less than ``threshold``%
    of one core (other people's tests share this machine); the busy % of the last 2 s."""
    end = time.time() + limit
    while True:
        a = machine_busy()
        time.sleep(2)
        b = machine_busy()
        busy = (b[0] - a[0]) / max(1.0, b[1] - a[1]) * 100 * (os.cpu_count() or 1)
        if busy < threshold or time.time() >= end:
            return busy


class ServerProc:
    """A server subprocess in its own process group, on a free port, logging to a file."""

    def __init__(
        self, name: str, argv: list[str], port: int, workdir: Path, env: dict | None = None
    ):
        self.name = name
        self.argv = argv
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = workdir / f"{name}.log"
        self.env = dict(os.environ, PYTHONUNBUFFERED="1", **(env or {}))
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> ServerProc:
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the process's life
        self.proc = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        log.close()
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited early:\n{self.log_path.read_text()[-3000:]}"
                )
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)  # waiting for a port to open: there is nothing to await
        raise RuntimeError(f"{self.name} did not start:\n{self.log_path.read_text()[-3000:]}")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        except ProcessLookupError:
            pass


def http(
    method: str, url: str, body: Any = None, key: str | None = KEY, headers: dict | None = None
) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if key:
        req.add_header("Authorization", f"Bearer {key}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


# ---------------------------------------------------------------- the benchmark's scenario
BRIEF = (
    "You represent your company in a supply negotiation. Read the table of issues: each option is "
    "worth the points shown to you, and your partner has a table of its own that you cannot see. "
    "Your aim is the largest total you can reach, but an agreement below your BATNA is worse "
    "than none. Think about which issues matter most to you and which you can trade away. "
)


def bench_scenario(max_offers: int) -> dict:
    """Five issues of four options, opposed interests; made here, uploaded by the benchmark.

    Briefs of about 1,900 characters, like the shipped scenarios', so a state is as large as in
    a real class (2.5 to 8 kB of JSON here, growing with the offers)."""
    issues = []
    for i, name in enumerate(["price", "volume", "delivery", "warranty", "payment"]):
        weight_s, weight_b = (5 - i) * 100, (i + 1) * 100
        issues.append(
            {
                "id": name,
                "name": name.title(),
                "options": [
                    {
                        "id": f"{name}{k}",
                        "label": f"{name.title()} level {k}",
                        "points": {"seller": weight_s * k, "buyer": weight_b * (3 - k)},
                    }
                    for k in range(4)
                ],
            }
        )
    return {
        "id": "bench-load",
        "title": "Benchmark supply deal",
        "description": "A scenario made by bench/load.py.",
        "roles": [
            {"id": "seller", "name": "Seller", "brief": "Seller. " + BRIEF * 5, "batna": 1000},
            {"id": "buyer", "name": "Buyer", "brief": "Buyer. " + BRIEF * 5, "batna": 1000},
        ],
        "issues": issues,
        "first_mover": "seller",
        "max_packages": 3,
        "meso_tolerance": 100,
        "time_limit_s": None,
        "max_offers": max_offers,
    }


def random_package(rng: random.Random, issues: list[tuple[str, list[str]]]) -> dict:
    return {iid: rng.choice(opts) for iid, opts in issues}


# ---------------------------------------------------------------- clients (worker processes)
class Stats:
    def __init__(self) -> None:
        self.errors: collections.Counter = collections.Counter()
        self.rate_limited = 0


class ParleyClient:
    """One participant: proposes when it is its turn, accepts after ``rounds`` offers."""

    def __init__(self, w: Worker, token: str, idx: int):
        import socketio

        self.w = w
        self.token = token
        self.idx = idx
        self.rng = random.Random(w.cfg["seed"] * 100003 + idx)
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("state", self.on_state)
        self.role: str | None = None
        self.neg_id: str | None = None
        self.last: dict | None = None
        self.acted_for = -1
        self.sent: dict[str, tuple[float, float]] = {}  # offer id -> (sent, acknowledged)
        self.state_for: dict[str, tuple[float, str, float]] = {}  # id -> (received, by, after view)
        self.accepted: str | None = None  # offer id, once the accept is acknowledged
        self.done_t: float | None = None
        self.paired = asyncio.Event()
        self.done = asyncio.Event()
        self.states = 0

    async def on_state(self, st: dict) -> None:
        t, wall = now(), time.time()
        self.states += 1
        neg = st.get("negotiation")
        if neg is not None and self.neg_id is None and st.get("phase") == "negotiating":
            self.neg_id, self.role = neg["id"], neg["role"]
            self.paired.set()
        if neg is not None:
            offers = neg.get("offers") or []
            if offers:
                last = offers[-1]
                if last["id"] not in self.state_for:
                    # the state's server_time (time.time() when the server built this view) splits
                    # the latency into before and after the view was built
                    self.state_for[last["id"]] = (t, last["by"], wall - st.get("server_time", wall))
            self.last = neg
        if st.get("phase") == "done" and self.done_t is None:
            self.done_t = t
            self.done.set()
        self.maybe_act()

    def maybe_act(self) -> None:
        neg = self.last
        if not self.w.started or neg is None or neg.get("status") != "open":
            return
        if neg.get("turn") != self.role:
            return
        n = len(neg.get("offers") or [])
        if n == self.acted_for:
            return
        self.acted_for = n
        think = self.w.cfg["think"]
        delay = self.rng.uniform(0, think) if n == 0 else think * self.rng.uniform(0.5, 1.5)
        if n >= self.w.cfg["rounds"]:
            self.w.spawn(self.accept(neg["offers"][-1]["id"], delay))
        else:
            self.w.spawn(self.propose(delay))

    async def _call(self, event: str, payload: dict) -> tuple[dict | None, float]:
        from socketio.exceptions import TimeoutError as SioTimeout

        while True:
            t0 = now()
            try:
                ack = await self.sio.call(event, payload, timeout=30)
            except SioTimeout:
                self.w.stats.errors[f"{event}: no acknowledgement in 30 s"] += 1
                return None, t0
            except Exception as e:  # noqa: BLE001 - a disconnected client, reported below
                self.w.stats.errors[f"{event}: {type(e).__name__}"] += 1
                return None, t0
            if isinstance(ack, dict) and ack.get("ok"):
                return ack, t0
            code = (ack or {}).get("error", {}).get("code") if isinstance(ack, dict) else None
            if code == "rate_limited":
                self.w.stats.rate_limited += 1
                await asyncio.sleep(0.1)
                continue
            self.w.stats.errors[f"{event}: {code or ack!r}"] += 1
            return None, t0

    async def propose(self, delay: float) -> None:
        await asyncio.sleep(delay)
        payload = {"packages": [random_package(self.rng, self.w.issues)]}
        ack, t0 = await self._call("propose", payload)
        if ack is not None:
            self.sent[ack["offer_id"]] = (t0, now())

    async def accept(self, offer_id: str, delay: float) -> None:
        await asyncio.sleep(delay)
        ack, _ = await self._call("accept", {"offer_id": offer_id, "package": 0})
        if ack is not None:
            self.accepted = offer_id

    def result(self) -> dict:
        return {
            "idx": self.idx,
            "neg_id": self.neg_id,
            "role": self.role,
            "sent": self.sent,
            "state_for": self.state_for,
            "accepted": self.accepted,
            "done": self.done_t is not None,
            "states": self.states,
        }


def _ignore(*_args) -> None:
    pass


class RelayClient:
    """One side of a relay room: the same pacing and message count as a Parley participant."""

    def __init__(self, w: Worker, pair: int, side: int):
        import socketio

        self.w = w
        self.pair = pair
        self.side = side
        self.idx = pair * 2 + side
        self.rng = random.Random(w.cfg["seed"] * 100003 + self.idx)
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("offer", self.on_offer)
        self.sent: dict[str, float] = {}
        self.recv: dict[str, float] = {}
        self.done = asyncio.Event()

    async def on_offer(self, data: dict) -> None:
        t = now()
        if data.get("echo"):  # --relay-state-like: the sender's own copy
            return
        self.recv[data["id"]] = t
        if data["kind"] == "accept":
            self.done.set()
            return
        k = data["k"] + 1  # offers seen so far in this pair
        think = self.w.cfg["think"]
        delay = think * self.rng.uniform(0.5, 1.5)
        if k >= self.w.cfg["rounds"]:
            self.w.spawn(self.send("accept", k, delay))
        else:
            self.w.spawn(self.send("offer", k, delay))

    def start(self) -> None:
        if self.side == 0:  # the first mover
            self.w.spawn(self.send("offer", 0, self.rng.uniform(0, self.w.cfg["think"])))

    async def send(self, kind: str, k: int, delay: float) -> None:
        await asyncio.sleep(delay)
        mid = f"{self.pair}:{k}"
        payload = {
            "id": mid,
            "k": k,
            "kind": kind,
            "packages": [random_package(self.rng, self.w.issues)],
        }
        t0 = now()
        try:
            if self.w.cfg["state_like"]:  # ask for the acknowledgement, as Parley's clients do
                await self.sio.emit("offer", payload, callback=_ignore)
            else:
                await self.sio.emit("offer", payload)
        except Exception as e:  # noqa: BLE001
            self.w.stats.errors[f"relay emit: {type(e).__name__}"] += 1
            return
        self.sent[mid] = t0
        if kind == "accept":
            self.done.set()

    def result(self) -> dict:
        return {"idx": self.idx, "pair": self.pair, "sent": self.sent, "recv": self.recv}


class Worker:
    """One client process: many AsyncClients on one asyncio loop."""

    def __init__(self, conn, cfg: dict):
        self.conn = conn
        self.cfg = cfg
        self.stats = Stats()
        self.started = False
        self.tasks: set[asyncio.Task] = set()
        self.issues = [(i["id"], [o["id"] for o in i["options"]]) for i in cfg["issues"]]

    def spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def recv(self) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, self.conn.recv)

    async def connect_all(self, clients, auths) -> None:
        sem = asyncio.Semaphore(self.cfg.get("connect_concurrency", 20))

        async def one(c, auth):
            async with sem:
                try:
                    await c.sio.connect(
                        self.cfg["url"], auth=auth, transports=["websocket"], wait_timeout=30
                    )
                except Exception as e:  # noqa: BLE001
                    self.stats.errors[f"connect: {type(e).__name__}: {e}"] += 1

        await asyncio.gather(*(one(c, a) for c, a in zip(clients, auths, strict=True)))

    async def wait_all(self, events, timeout: float) -> int:
        """Wait until every event is set or the timeout passes; how many are still unset."""
        try:
            await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events)), timeout)
        except TimeoutError:
            pass
        return sum(1 for e in events if not e.is_set())

    async def close_all(self, clients) -> None:
        try:
            await asyncio.wait_for(
                asyncio.gather(*(c.sio.disconnect() for c in clients), return_exceptions=True), 30
            )
        except TimeoutError:
            pass

    # ------------------------------------------------------------ phases
    async def run_negotiations(self) -> dict:
        cfg = self.cfg
        if cfg["kind"] == "parley":
            clients = [ParleyClient(self, tok, idx) for idx, tok in cfg["tokens"]]
            await self.connect_all(clients, [{"token": c.token} for c in clients])
            unpaired = await self.wait_all([c.paired for c in clients], 60)
            if unpaired:
                self.stats.errors[f"not paired within 60 s: {unpaired}"] += 1
        else:
            clients = [RelayClient(self, pair, side) for pair, side in cfg["seats"]]
            await self.connect_all(clients, [{"room": f"r{c.pair}"} for c in clients])
        self.conn.send(("ready", len(clients)))
        msg = await self.recv()
        assert msg[0] == "start", msg
        t_start = msg[1]
        if cfg["client_gc"] is False:
            # a collection of this process's many objects pauses every client in it for tens of
            # milliseconds: a latency spike that is the benchmark's, not the server's
            gc.collect()
            gc.freeze()
            gc.disable()
        await asyncio.sleep(max(0.0, t_start - now()))
        ru0 = resource.getrusage(resource.RUSAGE_SELF)
        self.started = True
        lag: list[float] = []
        self.spawn(self.measure_lag(lag))
        for c in clients:
            if cfg["kind"] == "parley":
                c.maybe_act()
            else:
                c.start()
        unfinished = await self.wait_all([c.done for c in clients], cfg["timeout"])
        t_end = now()
        await asyncio.sleep(0.5)  # let late messages arrive: they count as received, late
        ru1 = resource.getrusage(resource.RUSAGE_SELF)
        self.started = False  # ends measure_lag
        gc.enable()
        await self.close_all(clients)
        return {
            "clients": [c.result() for c in clients],
            "unfinished": unfinished,
            "t_end": t_end,
            "cpu": (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime),
            "lag": lag,
            "errors": dict(self.stats.errors),
            "rate_limited": self.stats.rate_limited,
        }

    async def measure_lag(self, out: list[float], every: float = 0.02) -> None:
        """How late this process's event loop wakes a sleeper, every ``every`` s while the
        negotiations run: a loop busy with many clients receives their states late, and that
        delay counts in the latencies measured as if it were the server's."""
        while self.started:
            t0 = now()
            await asyncio.sleep(every)
            out.append(now() - t0 - every)

    async def run_burst(self) -> dict:
        import aiohttp
        import socketio

        cfg = self.cfg
        rows: list[dict] = []
        clients: list = []
        done_events: list[asyncio.Event] = []
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http_session:
            self.conn.send(("ready", len(cfg["joiners"])))
            msg = await self.recv()
            t_start = msg[1]

            async def joiner(idx: int, offset: float) -> None:
                row: dict[str, Any] = {"idx": idx}
                rows.append(row)
                paired = asyncio.Event()
                done_events.append(paired)
                await asyncio.sleep(max(0.0, t_start + offset - now()))
                row["t0"] = now()
                try:
                    async with http_session.post(
                        f"{cfg['url']}/api/sessions/{cfg['code']}/join",
                        json={"name": f"Student {idx}"},
                    ) as r:
                        body = await r.json()
                        if r.status != 201:
                            raise RuntimeError(f"join answered {r.status}: {body}")
                    row["t_join"] = now()
                    sio = socketio.AsyncClient(reconnection=False)
                    clients.append(sio)

                    async def on_state(st: dict) -> None:
                        t = now()
                        row.setdefault("t_first", t)
                        if st.get("phase") == "negotiating" and "t_paired" not in row:
                            row["t_paired"] = t
                            paired.set()

                    sio.on("state", on_state)
                    await sio.connect(
                        cfg["url"],
                        auth={"token": body["token"]},
                        transports=["websocket"],
                        wait_timeout=30,
                    )
                    row["t_conn"] = now()
                except Exception as e:  # noqa: BLE001
                    row["error"] = f"{type(e).__name__}: {e}"
                    self.stats.errors[row["error"]] += 1
                    paired.set()

            await asyncio.gather(*(joiner(i, off) for i, off in cfg["joiners"]))
            await self.wait_all(done_events, cfg["timeout"])
            await asyncio.sleep(0.2)
        for sio in clients:
            self.spawn(sio.disconnect())
        if self.tasks:
            await asyncio.wait(list(self.tasks), timeout=30)
        return {"rows": rows, "errors": dict(self.stats.errors)}

    async def main(self) -> None:
        try:
            if self.cfg["kind"] == "burst":
                out = await self.run_burst()
            else:
                out = await self.run_negotiations()
            self.conn.send(("result", out))
        except Exception as e:  # noqa: BLE001 - reported to the parent, which fails the run
            import traceback

            self.conn.send(("failed", f"{type(e).__name__}: {e}\n{traceback.format_exc()}"))


def worker_main(conn, cfg: dict) -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us on Ctrl+C
    raise_open_files()
    import logging

    logging.getLogger("socketio").setLevel(logging.CRITICAL)
    logging.getLogger("engineio").setLevel(logging.CRITICAL)
    asyncio.run(Worker(conn, cfg).main())


# ---------------------------------------------------------------- the parent
class Workers:
    """Start client processes, release them together, collect their results."""

    def __init__(self, cfgs: list[dict]):
        ctx = mp.get_context("spawn")
        self.procs = []
        self.conns = []
        for cfg in cfgs:
            parent, child = ctx.Pipe()
            p = ctx.Process(target=worker_main, args=(child, cfg), daemon=True)
            p.start()
            child.close()
            self.procs.append(p)
            self.conns.append(parent)

    def expect(self, what: str, timeout: float) -> list[Any]:
        out = []
        end = time.time() + timeout
        for conn, p in zip(self.conns, self.procs, strict=True):
            while not conn.poll(0.2):
                if time.time() > end:
                    raise RuntimeError(
                        f"a client process did not report {what!r} in {timeout:.0f} s"
                    )
                if not p.is_alive():
                    raise RuntimeError(f"a client process died (exit {p.exitcode})")
            msg = conn.recv()
            if msg[0] == "failed":
                raise RuntimeError(f"a client process failed:\n{msg[1]}")
            if msg[0] != what:
                raise RuntimeError(f"expected {what!r} from a client process, got {msg[0]!r}")
            out.append(msg[1])
        return out

    def start(self, delay: float = 0.5) -> float:
        t_start = now() + delay
        for conn in self.conns:
            conn.send(("start", t_start))
        return t_start

    def stop(self) -> None:
        for p in self.procs:
            if p.is_alive():
                p.terminate()
        for p in self.procs:
            p.join(3)
            if p.is_alive():
                p.kill()
                p.join(3)


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


class Profiler:
    """py-spy recording one process (folded stacks, idle samples included) until stopped."""

    def __init__(self, pid: int, out: Path, rate: int):
        self.out = out
        self.proc = subprocess.Popen(
            [
                "py-spy",
                "record",
                "--pid",
                str(pid),
                "--rate",
                str(rate),
                "--idle",
                "--nonblocking",
                "--format",
                "raw",
                "--output",
                str(out),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        time.sleep(1.0)  # py-spy attaches

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)  # py-spy writes its file on SIGINT
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


# Where a sample of the Parley server's main thread is, outermost rule that matches wins
# (checked in this order against the whole stack).
PROFILE_BUCKETS = [
    ("SQLite commit (store.append/_append_rows, sqlite3)", ("store.py",)),
    (
        "fold (offers.replay / offers.apply)",
        (
            "replay (game/core/protocols/offers.py",
            "apply (game/core/protocols/offers.py",
            "parse_action (game/core/protocols/offers.py",
        ),
    ),
    ("view building (hub.view / views.py)", ("view (game/server/hub.py",)),
    ("emit: JSON encoding of the state", ("encode (socketio/packet.py", "dumps (json")),
    (
        "emit: Socket.IO/Engine.IO send, websocket write",
        ("emit (socketio", "send (engineio", "_send_packet", "emit (flask_socketio"),
    ),
    (
        "receive: websocket read, packet decode, dispatch",
        (
            "_websocket_handler",
            "receive (engineio",
            "decode (socketio",
            "_handle_eio_message",
            "trigger_event",
        ),
    ),
    ("idle: eventlet hub waiting (epoll)", ("wait (eventlet/hubs", "poll (eventlet/hubs")),
]


def read_profile(path: Path) -> tuple[int, list[tuple[str, int]], list[tuple[str, int]]]:
    """Samples in all, samples per bucket, and the heaviest leaf frames outside idle."""
    totals: collections.Counter = collections.Counter()
    leaves: collections.Counter = collections.Counter()
    n = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        if "(eventlet/tpool.py" in stack:
            continue  # a native thread of eventlet's pool (checkpoints, exports), not the loop
        c = int(count)
        n += c
        bucket = "other (Flask/werkzeug request handling, greenlet switches, ...)"
        for name, needles in PROFILE_BUCKETS:
            if any(x in stack for x in needles):
                bucket = name
                break
        totals[bucket] += c
        if not bucket.startswith("idle"):
            leaves[stack.split(";")[-1]] += c
    return n, totals.most_common(), leaves.most_common(12)


# ---------------------------------------------------------------- phases (parent side)
SERVER_CMD = "{python} run.py serve --port {port} --db {db}"
RELAY_CMD = "{python} bench/relay.py --port {port}"
LABELS = {
    "relay": "bare relay",
    "tuned-relay": "tuned relay",
    "state-relay": "state relay",
    "parley": "Parley",
}


def run_cleanup(cleanup: list) -> None:
    """Stop what a benchmark started (servers, client processes), the last first, best effort."""
    for fn in reversed(cleanup):
        try:
            fn()
        except Exception:  # noqa: BLE001, S110 - best effort while cleaning up
            pass


def start_parley(workdir: Path, tag: str, cmd: str = SERVER_CMD) -> ServerProc:
    port = free_port()
    argv = [
        a.format(python=sys.executable, port=port, db=workdir / f"parley-{tag}.db")
        for a in shlex.split(cmd)
    ]
    env = {"PARLEY_INSTRUCTOR_KEY": KEY, "PARLEY_TRUSTED_PROXIES": "1"}  # X-Forwarded-For
    srv = ServerProc(f"parley-{tag}", argv, port, workdir, env=env)
    return srv.start()


def make_session(srv: ServerProc, scenario: dict, max_offers: int) -> str:
    status, body = http("POST", srv.url + "/api/scenarios", scenario)
    if status not in (201, 409):
        raise RuntimeError(f"uploading the scenario answered {status}: {body}")
    status, body = http(
        "POST",
        srv.url + "/api/sessions",
        {
            "scenario": scenario["id"],
            "conditions": ["any"],
            "pairing": "arrival",
            "time_limit_s": None,
            "max_offers": max_offers,
        },
    )
    if status != 201:
        raise RuntimeError(f"creating the session answered {status}: {body}")
    return body["code"]


def run_negotiation_phase(kind: str, args, workdir: Path, scenario: dict, cleanup: list) -> dict:
    """Run the relay or Parley phase; a dict of figures."""
    pairs, rounds = args.pairs, args.rounds
    if kind in ("relay", "tuned-relay", "state-relay"):
        port = free_port()
        argv = [a.format(python=sys.executable, port=port) for a in shlex.split(args.relay_cmd)]
        if kind == "state-relay":
            argv.append("--state-like")
        if kind == "tuned-relay":
            argv.append("--tuned")
        srv = ServerProc("relay", argv, port, workdir).start()
    else:
        # a database of its own for each run: a server started on an earlier run's file would
        # load its sessions (and its students' objects) and wait for its lock
        srv = start_parley(workdir, "negotiations" + (args.run_tag or ""), args.server_cmd)
    cleanup.append(srv.stop)
    base = {
        "kind": kind,
        "url": srv.url,
        "rounds": rounds,
        "think": args.think,
        "state_like": kind == "state-relay",
        "client_gc": args.client_gc,
        "seed": args.seed,
        "issues": scenario["issues"],
        "timeout": args.timeout or (rounds + 1) * max(args.think * 1.5, 0.05) * 4 + 120,
    }
    cfgs = [dict(base, tokens=[], seats=[]) for _ in range(args.procs)]
    if kind == "parley":
        code = make_session(srv, scenario, rounds + 2)
        for i in range(pairs * 2):
            # a class of up to 400 shares an address (a campus NAT; the server believes one
            # proxy, PARLEY_TRUSTED_PROXIES=1); past the join limits, wait as a browser would
            where = {"X-Forwarded-For": f"10.0.{i // 400}.1"}
            for _ in range(600):
                status, body = http(
                    "POST",
                    f"{srv.url}/api/sessions/{code}/join",
                    {"name": f"Player {i}"},
                    key=None,
                    headers=where,
                )
                if status != 429:
                    break
                time.sleep(0.2)
            if status != 201:
                raise RuntimeError(f"join answered {status}: {body}")
            cfgs[i % args.procs]["tokens"].append((i, body["token"]))
    else:
        for i in range(pairs * 2):
            cfgs[i % args.procs]["seats"].append((i // 2, i % 2))
    workers = Workers(cfgs)
    cleanup.append(workers.stop)
    profiler = None
    try:
        workers.expect("ready", 180)
        quiet = wait_quiet(args.wait_quiet) if args.wait_quiet else float("nan")
        if kind == "parley" and args.profile and args.rep == 0:
            Path(args.profile).mkdir(parents=True, exist_ok=True)
            profiler = Profiler(
                srv.pid, Path(args.profile) / "parley-server.folded", args.profile_rate
            )
            cleanup.append(profiler.stop)
        cpu0, busy0 = cpu_ticks(srv.pid), machine_busy()
        t_start = workers.start()
        results = workers.expect("result", base["timeout"] + 120)
        cpu1, busy1 = cpu_ticks(srv.pid), machine_busy()
        t_end = now()
    finally:
        if profiler is not None:
            profiler.stop()
        workers.stop()
        srv.stop()
    clients = [c for r in results for c in r["clients"]]
    errors: collections.Counter = collections.Counter()
    for r in results:
        errors.update(r["errors"])
    unfinished = sum(r["unfinished"] for r in results)
    lat: list[float] = []
    raw: list[tuple[float, float]] = []  # (send time from the start, latency), seconds
    after_view: list[float] = []  # Parley: from the server building the partner's view to receipt
    lost = collections.Counter()
    last_recv = t_start
    offers = 0
    if kind == "parley":
        by_neg: dict[str, list[dict]] = collections.defaultdict(list)
        for c in clients:
            by_neg[c["neg_id"]].append(c)
        for nid, cs in by_neg.items():
            if nid is None or len(cs) != 2:
                lost["clients without a complete pair"] += len(cs)
                continue
            for me, other in ((cs[0], cs[1]), (cs[1], cs[0])):
                for oid, (t0, _tack) in me["sent"].items():
                    offers += 1
                    got = other["state_for"].get(oid)
                    if got is None:
                        lost["offer acknowledged, partner's state missing"] += 1
                    else:
                        lat.append(got[0] - t0)
                        after_view.append(got[2])
                        raw.append((t0 - t_start, got[0] - t0))
                        last_recv = max(last_recv, got[0])
                    if oid not in me["state_for"]:
                        lost["offer acknowledged, proposer's own state missing"] += 1
                for oid, (_t, by, _after) in other["state_for"].items():
                    if by == me["role"] and oid not in me["sent"]:
                        lost["offer shown to partner, acknowledgement missing"] += 1
                if me["accepted"] and not (me["done"] and other["done"]):
                    lost["accept acknowledged, a 'done' state missing"] += 1
        messages = offers + sum(1 for c in clients if c["accepted"])
    else:
        seats = {(c["pair"], c["idx"] % 2): c for c in clients}
        messages = 0
        for (pair, side), me in seats.items():
            other = seats.get((pair, 1 - side))
            for mid, t0 in me["sent"].items():
                messages += 1
                got = other["recv"].get(mid) if other else None
                if got is None:
                    lost["sent, never received"] += 1
                    continue
                last_recv = max(last_recv, got)
                k = int(mid.split(":")[1])
                if k < rounds:
                    offers += 1
                    lat.append(got - t0)
                    raw.append((t0 - t_start, got - t0))
    wall = max(1e-9, last_recv - t_start)
    client_cpu = sum(r["cpu"] for r in results)
    lag = [x for r in results for x in r.get("lag", [])]
    machine = (busy1[0] - busy0[0]) / max(1.0, busy1[1] - busy0[1]) * 100 * (os.cpu_count() or 1)
    run_wall = t_end - t_start
    server_cpu = (cpu1 - cpu0) / run_wall * 100
    client_cpu = client_cpu / run_wall * 100
    client_cpu_each = [r["cpu"] / run_wall * 100 for r in results]
    if args.dump:
        Path(args.dump).mkdir(parents=True, exist_ok=True)
        (Path(args.dump) / f"{kind}{args.run_tag}-latency.json").write_text(json.dumps(sorted(raw)))
    return {
        "kind": kind,
        "label": LABELS[kind],
        "pairs": pairs,
        "offers": offers,
        "messages": messages,
        "wall": wall,
        "rate": offers / wall,
        "p50": pct(lat, 50) * 1000,
        "p99": pct(lat, 99) * 1000,
        "max": max(lat) * 1000 if lat else float("nan"),
        "lost": sum(lost.values()),
        "lost_detail": dict(lost),
        "unfinished": unfinished,
        "errors": dict(errors),
        "rate_limited": sum(r["rate_limited"] for r in results),
        "server_cpu": server_cpu,
        "client_cpu": client_cpu,
        "client_cpu_each": client_cpu_each,
        "client_lag": (pct(lag, 50) * 1000, pct(lag, 99) * 1000, max(lag, default=0.0) * 1000),
        "machine_cpu": machine,
        "other_cpu": max(0.0, machine - server_cpu - client_cpu),
        "quiet_before": quiet,
        "after_view": after_view,
        "lat": lat,
        "raw": raw,
        "expected_offers": pairs * rounds,
    }


def run_burst_phase(args, workdir: Path, scenario: dict, cleanup: list) -> dict:
    srv = start_parley(workdir, "burst", args.server_cmd)
    cleanup.append(srv.stop)
    code = make_session(srv, scenario, args.rounds + 2)
    rng = random.Random(args.seed)
    n, window = args.burst, args.burst_window
    # arrivals at random instants within the window (a Poisson-like burst), sorted
    offsets = sorted(rng.uniform(0, window) for _ in range(n))
    cfgs = [
        {
            "kind": "burst",
            "url": srv.url,
            "code": code,
            "seed": args.seed,
            "issues": scenario["issues"],
            "timeout": window + 60,
            "joiners": [],
        }
        for _ in range(args.procs)
    ]
    for i, off in enumerate(offsets):
        cfgs[i % args.procs]["joiners"].append((i, off))
    workers = Workers(cfgs)
    cleanup.append(workers.stop)
    try:
        workers.expect("ready", 120)
        quiet = wait_quiet(args.wait_quiet) if args.wait_quiet else float("nan")
        cpu0, busy0 = cpu_ticks(srv.pid), machine_busy()
        t_start = workers.start()
        results = workers.expect("result", window + 180)
        cpu1, busy1 = cpu_ticks(srv.pid), machine_busy()
        t_end = now()
        status, sess = http("GET", f"{srv.url}/api/sessions/{code}")
    finally:
        workers.stop()
        srv.stop()
    rows = [row for r in results for row in r["rows"]]
    if args.dump:
        Path(args.dump).mkdir(parents=True, exist_ok=True)
        rel = [
            {
                k: (v - t_start if k.startswith("t") and isinstance(v, float) else v)
                for k, v in row.items()
            }
            for row in rows
        ]
        (Path(args.dump) / f"burst{args.run_tag}.json").write_text(
            json.dumps(sorted(rel, key=lambda r: r.get("t0", 0)))
        )
    errors: collections.Counter = collections.Counter()
    for r in results:
        errors.update(r["errors"])
    first = [row["t_first"] - row["t0"] for row in rows if "t_first" in row]
    paired = [row["t_paired"] - row["t0"] for row in rows if "t_paired" in row]
    joins = [row["t_join"] - row["t0"] for row in rows if "t_join" in row]
    t0s = [row["t0"] for row in rows if "t0" in row]
    phases = (
        collections.Counter(p["phase"] for p in (sess or {}).get("participants", []))
        if status == 200
        else collections.Counter()
    )
    return {
        "n": n,
        "window": window,
        "spread": (max(t0s) - min(t0s)) if t0s else float("nan"),
        "joined": len(joins),
        "first_state": len(first),
        "paired": len(paired),
        "expect_paired": n - n % 2,
        "server_phases": dict(phases),
        "join": (pct(joins, 50), pct(joins, 99), max(joins, default=float("nan"))),
        "first": (pct(first, 50), pct(first, 99), max(first, default=float("nan"))),
        "pair": (pct(paired, 50), pct(paired, 99), max(paired, default=float("nan"))),
        "errors": dict(errors),
        "server_cpu": (cpu1 - cpu0) / (t_end - t_start) * 100,
        "machine_cpu": (busy1[0] - busy0[0])
        / max(1.0, busy1[1] - busy0[1])
        * 100
        * (os.cpu_count() or 1),
        "seconds": t_end - t_start,
        "quiet_before": quiet,
    }


# ---------------------------------------------------------------- report
def _median(xs: list[float]) -> float:
    xs = sorted(x for x in xs if not math.isnan(x))
    if not xs:
        return float("nan")
    m = len(xs) // 2
    return xs[m] if len(xs) % 2 else (xs[m - 1] + xs[m]) / 2


def _neg_row(label: str, r: dict) -> str:
    return (
        f"{label:<19}{r['pairs']:>6}{r['offers']:>8}{r['rate']:>10.1f}{r['p50']:>9.2f}"
        f"{r['p99']:>9.2f}{r['max']:>9.2f}{r['lost']:>6}{r['server_cpu']:>11.0f}%"
        f"{r['client_cpu']:>8.0f}%{r['other_cpu']:>7.0f}%"
    )


def print_report(
    args, command: str, negs: dict[str, list[dict]], bursts: list[dict], profile: tuple | None
) -> None:
    relays, parleys = negs["relay"], negs["parley"]
    kinds = [negs[k] for k in ("relay", "tuned-relay", "state-relay", "parley") if negs[k]]
    print()
    print(f"command: {command}")
    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()};"
        f" clients: {args.procs} processes of socketio.AsyncClient (websocket)"
    )
    if kinds:
        print()
        print(
            f"Negotiations: {args.pairs} concurrent pairs x {args.rounds} offers, then an accept;"
            f" think time {args.think:g} s x U(0.5, 1.5) before each offer"
            f"{' (ping-pong at full speed)' if args.think == 0 else ''}"
        )
        head = (
            f"{'scenario':<19}{'pairs':>6}{'offers':>8}{'offers/s':>10}{'p50 ms':>9}"
            f"{'p99 ms':>9}{'max ms':>9}{'lost':>6}{'CPU server':>12}{'clients':>9}"
            f"{'others':>8}"
        )
        print(head)
        print("-" * len(head))
        runs = max(len(rs) for rs in kinds)
        for i in range(runs):
            for rs in kinds:
                if i < len(rs):
                    tag = f" #{i + 1}" if runs > 1 else ""
                    print(_neg_row(rs[i]["label"] + tag, rs[i]))
        med: dict[str, dict] = {}
        for name, rs in negs.items():
            if not rs:
                continue
            m = {
                k: _median([r[k] for r in rs])
                for k in (
                    "offers",
                    "rate",
                    "p50",
                    "p99",
                    "max",
                    "server_cpu",
                    "client_cpu",
                    "other_cpu",
                )
            }
            m.update(pairs=rs[0]["pairs"], lost=sum(r["lost"] for r in rs), label=rs[0]["label"])
            m["offers"] = int(m["offers"])
            med[name] = m
            if runs > 1:
                print(_neg_row(f"{m['label']} median", m))
        for i in range(runs):
            for rs in kinds:
                if i >= len(rs):
                    continue
                r = rs[i]
                notes = []
                if r["offers"] != r["expected_offers"]:
                    notes.append(f"{r['offers']} of {r['expected_offers']} offers made")
                if r["unfinished"]:
                    notes.append(f"{r['unfinished']} clients unfinished at the timeout")
                if r["rate_limited"]:
                    notes.append(f"{r['rate_limited']} answers rate_limited (retried)")
                for k, v in r["lost_detail"].items():
                    notes.append(f"lost: {k}: {v}")
                for k, v in r["errors"].items():
                    notes.append(f"error: {k}: {v}")
                if r["quiet_before"] >= 20:
                    notes.append(
                        f"the machine was busy ({r['quiet_before']:.0f}% of a core) at the start"
                    )
                if (
                    r["kind"] == "parley"
                    and r["after_view"]
                    and len(r["after_view"]) == len(r["lat"])
                ):
                    before = [a - b for a, b in zip(r["lat"], r["after_view"], strict=True)]
                    notes.append(
                        "latency split at the server building the partner's view: send -> view built"
                        f" p50 {pct(before, 50) * 1000:.2f} / p99 {pct(before, 99) * 1000:.2f} ms,"
                        f" view built -> received p50 {pct(r['after_view'], 50) * 1000:.2f}"
                        f" / p99 {pct(r['after_view'], 99) * 1000:.2f} ms"
                    )
                if notes:
                    tag = f" #{i + 1}" if runs > 1 else ""
                    print(f"  {r['label']}{tag}: " + "; ".join(notes))
        print(
            "(CPU: % of one core during the phase, for the server process, the client processes"
            " and everything else on the machine; 'others' above ~10% means the machine was"
            " shared and the tails are not this benchmark's alone)"
        )
        if "relay" in med and "parley" in med:
            rel, par = med["relay"], med["parley"]
            ratio = par["p99"] / rel["p99"] if rel["p99"] > 0 else float("inf")
            what = "medians of the runs" if runs > 1 else "this run"
            print(
                f"p99 latency Parley / bare relay: {ratio:.2f}x ({what})  (goal <= 1.5x)  "
                f"{'PASS' if ratio <= 1.5 else 'FAIL'}"
            )
            if runs > 1:
                per = [p["p99"] / r["p99"] for r, p in zip(relays, parleys, strict=False)]
                print("  per run: " + ", ".join(f"{x:.2f}x" for x in per))
            print(f"p50 latency Parley / bare relay: {par['p50'] / rel['p50']:.2f}x")
        if "state-relay" in med:
            st = med["state-relay"]
            if "relay" in med:
                print(
                    f"diagnostic: state relay / bare relay: p50 {st['p50'] / med['relay']['p50']:.2f}x,"
                    f" p99 {st['p99'] / med['relay']['p99']:.2f}x (Parley's messages and bytes alone)"
                )
            if "parley" in med:
                print(
                    f"diagnostic: Parley / state relay: p50 {med['parley']['p50'] / st['p50']:.2f}x,"
                    f" p99 {med['parley']['p99'] / st['p99']:.2f}x (rules, database and views)"
                )
        if "tuned-relay" in med:
            tu = med["tuned-relay"]
            if "relay" in med:
                print(
                    f"diagnostic: tuned relay / bare relay: p50 {tu['p50'] / med['relay']['p50']:.2f}x,"
                    f" p99 {tu['p99'] / med['relay']['p99']:.2f}x (Parley's transport settings alone)"
                )
            if "parley" in med:
                print(
                    f"diagnostic: Parley / tuned relay: p50 {med['parley']['p50'] / tu['p50']:.2f}x,"
                    f" p99 {med['parley']['p99'] / tu['p99']:.2f}x (over the same transport)"
                )
        if parleys:
            lost = sum(r["lost"] for r in parleys)
            print(f"events lost (Parley): {lost}  (goal 0)  {'PASS' if lost == 0 else 'FAIL'}")
    for i, b in enumerate(bursts):
        print()
        tag = f" #{i + 1}" if len(bursts) > 1 else ""
        print(
            f"Join burst{tag}: {b['n']} students join (HTTP join + Socket.IO connect) at random"
            f" instants within {b['window']:g} s (first to last: {b['spread']:.2f} s)"
        )
        head = (
            f"{'from the join request to':<36}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        )
        print(head)
        print("-" * len(head))
        for label, key, cnt in (
            ("the join answer (HTTP 201)", "join", b["joined"]),
            ("the first state", "first", b["first_state"]),
            ("the paired state (negotiating)", "pair", b["paired"]),
        ):
            p50, p99, mx = b[key]
            print(f"{label:<36}{cnt:>7}{p50 * 1000:>9.1f}{p99 * 1000:>9.1f}{mx * 1000:>9.1f}")
        all_paired = b["paired"] >= b["expect_paired"]
        print(
            f"all paired: {b['paired']}/{b['expect_paired']}  (server: {b['server_phases']})  "
            f"{'PASS' if all_paired else 'FAIL'}"
        )
        p99 = b["first"][1]
        print(
            f"p99 join -> first state: {p99 * 1000:.0f} ms  (goal < 1000 ms)  "
            f"{'PASS' if p99 < 1.0 and b['first_state'] == b['n'] else 'FAIL'}"
        )
        print(
            f"  during the {b['seconds']:.1f} s of the phase: Parley server CPU {b['server_cpu']:.0f}%,"
            f" the whole machine {b['machine_cpu']:.0f}% (% of one core; {os.cpu_count()} cores)"
        )
        if b["quiet_before"] >= 20:
            print(f"  the machine was busy ({b['quiet_before']:.0f}% of a core) at the start")
        for k, v in b["errors"].items():
            print(f"  error: {k}: {v}")
    if len(bursts) > 1:
        p99s = [b["first"][1] for b in bursts]
        m = _median(p99s)
        print(
            f"p99 join -> first state, median of {len(bursts)} bursts: {m * 1000:.0f} ms"
            f"  (goal < 1000 ms)  {'PASS' if m < 1.0 else 'FAIL'}"
        )
    if profile:
        n, buckets, leaves = profile
        print()
        print(f"Parley server profile (py-spy, {n} samples of the serving thread, idle included):")
        for name, c in buckets:
            print(f"  {c / n * 100:5.1f}%  {name}")
        print("  heaviest leaf frames outside idle:")
        for frame, c in leaves:
            print(f"  {c / n * 100:5.1f}%  {frame}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Parley load benchmark: real Socket.IO clients against a real server, "
        "compared with a bare Flask-SocketIO relay in the same run."
    )
    parser.add_argument("--pairs", type=int, default=200, help="concurrent pairs (default 200)")
    parser.add_argument(
        "--rounds", type=int, default=20, help="offers per negotiation (default 20)"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean think time in seconds before each offer (default 1.0; 0 = "
        "ping-pong at full speed)",
    )
    parser.add_argument("--burst", type=int, default=400, help="students in the join burst (400)")
    parser.add_argument(
        "--burst-window",
        type=float,
        default=5.0,
        help="seconds within which the burst joins (default 5)",
    )
    parser.add_argument("--procs", type=int, default=2, help="client processes (default 2)")
    parser.add_argument(
        "--phases",
        default="relay,parley,burst",
        help="comma-separated subset of relay,tuned-relay,state-relay,parley,burst "
        "(default relay,parley,burst; the others are diagnostics: bench/relay.py "
        "--tuned takes Parley's transport settings, --state-like sends Parley's "
        "messages and bytes without its rules and database)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 20 pairs, 40 joiners, 6 rounds"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=None, help="seconds per negotiation phase")
    parser.add_argument(
        "--profile",
        metavar="DIR",
        default=None,
        help="record the Parley server with py-spy during the negotiations",
    )
    parser.add_argument("--profile-rate", type=int, default=250, help="py-spy samples a second")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="run the phases N times, alternating which server goes first, and "
        "judge the goals on the medians (default 1)",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=60,
        metavar="S",
        help="before each phase, wait up to S seconds for the machine to be idle "
        "(other work on it skews the tails; default 60, 0 = do not wait)",
    )
    parser.add_argument(
        "--dump",
        metavar="DIR",
        default=None,
        help="write each phase's (send time, latency) pairs as JSON into DIR",
    )
    parser.add_argument(
        "--server-cmd",
        default=SERVER_CMD,
        help="how to start the Parley server, to measure a variant (run from the "
        "repository root; {python}, {port} and {db} are filled in; default: "
        f"{SERVER_CMD!r})",
    )
    parser.add_argument(
        "--relay-cmd",
        default=RELAY_CMD,
        help=f"how to start the relay ({{python}} and {{port}} are filled in; "
        f"default: {RELAY_CMD!r})",
    )
    parser.add_argument(
        "--client-gc",
        action="store_true",
        help="leave the garbage collector on in the client processes during the "
        "negotiations (by default it is off there, so its pauses do not count as "
        "server latency)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (logs, databases)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.pairs, args.burst, args.rounds = (
            min(args.pairs, 20),
            min(args.burst, 40),
            min(args.rounds, 6),
        )
    phases = {p.strip() for p in args.phases.split(",") if p.strip()}
    if phases - {"relay", "tuned-relay", "state-relay", "parley", "burst"}:
        parser.error("--phases takes relay, tuned-relay, state-relay, parley and burst")
    if args.burst_window > 5:
        print("note: the goal is a burst within 5 s", file=sys.stderr)
    try:
        import aiohttp  # noqa: F401 - python-socketio's asyncio client needs it
    except ImportError:
        print(
            "bench/load.py needs aiohttp for socketio.AsyncClient: pip install aiohttp",
            file=sys.stderr,
        )
        return 2
    command = "python bench/load.py" + ("".join(" " + shlex.quote(a) for a in (argv or [])))
    nofile = raise_open_files()
    need = (args.pairs * 2 + args.burst) * 3 + 200
    if nofile < need:
        print(
            f"warning: open-files limit {nofile} is low for this run (about {need} wanted)",
            file=sys.stderr,
        )

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    cleanup: list = []
    workdir = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    scenario = bench_scenario(max(args.rounds + 2, 12))
    negs: dict[str, list[dict]] = {"relay": [], "tuned-relay": [], "state-relay": [], "parley": []}
    bursts: list[dict] = []
    profile = None
    failed = False
    try:
        for rep in range(args.repeat):
            args.rep = rep
            args.run_tag = f"-{rep + 1}" if args.repeat > 1 else ""
            tag = f" (run {rep + 1} of {args.repeat})" if args.repeat > 1 else ""
            # alternate which server goes first, so slow drifts of the machine hit both alike
            order = ["relay", "tuned-relay", "state-relay", "parley"]
            for kind in order if rep % 2 == 0 else order[::-1]:
                if kind not in phases:
                    continue
                print(
                    f"{LABELS[kind]}: {args.pairs} pairs x {args.rounds} offers{tag} ...",
                    flush=True,
                )
                r = run_negotiation_phase(kind, args, workdir, scenario, cleanup)
                negs[kind].append(r)
                if kind == "parley" and args.profile and profile is None:
                    f = Path(args.profile) / "parley-server.folded"
                    if f.exists() and f.stat().st_size:
                        profile = read_profile(f)
            if "burst" in phases:
                print(
                    f"burst: {args.burst} joiners within {args.burst_window:g} s{tag} ...",
                    flush=True,
                )
                bursts.append(run_burst_phase(args, workdir, scenario, cleanup))
    except KeyboardInterrupt:
        print("\ninterrupted: stopping servers and clients", file=sys.stderr)
        failed = True
    except Exception as e:  # noqa: BLE001 - a failed phase fails the run, with what we have
        print(f"\nbenchmark failed: {e}", file=sys.stderr)
        print(f"server logs in {workdir}", file=sys.stderr)
        args.keep = True
        failed = True
    finally:
        run_cleanup(cleanup)
        if not args.keep:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
    print_report(args, command, negs, bursts, profile)
    if args.keep:
        print(f"logs and databases: {workdir}")
    everything = [r for rs in negs.values() for r in rs]
    lost = sum(r["lost"] for r in everything)
    errs = sum(sum(r["errors"].values()) + r["unfinished"] for r in everything)
    errs += sum(sum(b["errors"].values()) for b in bursts)
    if lost or errs or failed:
        print(f"exit 1: {lost} events lost, {errs} errors{', run failed' if failed else ''}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
