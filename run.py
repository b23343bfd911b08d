"""Parley's command line: serve, validate, analyze, simulate, export. See docs/cli.md."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# The start of the warning eventlet gives when imported (a regex, as warnings.filterwarnings takes).
EVENTLET_DEPRECATION = r"\s*Eventlet is deprecated"


def cmd_validate(args) -> int:
    from game.core.scenario import ScenarioError, load_file

    failed = False
    for f in args.files:
        try:
            sc = load_file(f)
        except ScenarioError as e:
            failed = True
            print(f"{f}: {len(e.errors)} problem(s)")
            for err in e.errors:
                print(f"  {err}")
        else:
            print(f"{f}: ok ({sc.id})")
    return 1 if failed else 0


def cmd_analyze(args) -> int:
    from game.core import analysis
    from game.core.scenario import ScenarioError, load_file

    try:
        sc = load_file(args.file)
    except ScenarioError as e:
        print(f"{args.file}: {len(e.errors)} problem(s)")
        for err in e.errors:
            print(f"  {err}")
        return 1
    if args.json:
        print(json.dumps(analysis.analyze(sc)))
    else:
        print(analysis.report(sc))
    return 0


def cmd_export(args) -> int:
    from game.server import export
    from game.server.store import NotParleyDatabase, open_readonly

    if not Path(args.db).exists():
        print(f"{args.db}: no such database", file=sys.stderr)
        return 1
    try:
        store = open_readonly(args.db)  # an export never changes the database it reads
    except NotParleyDatabase as e:
        print(str(e), file=sys.stderr)
        return 1
    code = None
    if args.session:
        from game.core.lobby import normalize_code

        code = normalize_code(args.session)
        if not store.read("SELECT 1 FROM sessions WHERE code = ?", [code]):
            print(f"--session: no session with code {args.session!r} in {args.db}", file=sys.stderr)
            return 1
    for p in export.write_all(store, args.out, code):
        print(p)
    return 0


def cmd_simulate(args) -> int:
    from game.core.agents import AgentError
    from game.core.scenario import ScenarioError
    from game.server.simulate import progress_bar, protocol_of, resolve, simulate
    from game.server.store import Store

    if args.agents_file:
        from game.server.agents import AgentFileError, load_agents_file

        try:
            load_agents_file(args.agents_file)  # its strategies join the shipped ones
        except AgentFileError as e:
            print(f"--agents-file: {e}", file=sys.stderr)
            return 2
    names = [a.strip() for a in args.agents.split(",")]
    if len(names) != 2 or not all(names):
        print("--agents: give two strategies, A,B (A plays the first role)", file=sys.stderr)
        return 2
    if args.runs < 1:
        print("--runs: must be at least 1", file=sys.stderr)
        return 2
    params = []
    for flag, text in (("--params-a", args.params_a), ("--params-b", args.params_b)):
        try:
            params.append(json.loads(text) if text else None)
        except ValueError as e:
            print(f"{flag}: not JSON ({e})", file=sys.stderr)
            return 2
    from game.core import agents

    conditions = [c.strip() for c in args.conditions.split(",")]
    try:
        made = [agents.make(n, p) for n, p in zip(names, params, strict=True)]
        protocol_of(conditions, (names[0], names[1]), made)  # every problem before any write
    except AgentError as e:
        print(f"--agents: {e}", file=sys.stderr)
        return 2
    except ValueError as e:
        print(str(e), file=sys.stderr)
        return 2
    store = Store(args.db)
    try:
        sc = resolve(store, args.scenario, args.scenarios)
    except ScenarioError as e:
        print(f"{args.scenario}: {len(e.errors)} problem(s)", file=sys.stderr)
        for err in e.errors:
            print(f"  {err}", file=sys.stderr)
        return 1
    except (ValueError, OSError) as e:
        print(str(e), file=sys.stderr)
        return 1
    seed = args.seed
    try:
        code = simulate(
            store,
            sc,
            (names[0], names[1]),
            runs=args.runs,
            seed=seed,
            params=(params[0], params[1]),
            conditions=conditions,
            progress=progress_bar() if not args.quiet else None,
        )
    except AgentError as e:  # a strategy that broke the rules or stalled: named, nothing kept
        print(f"\n{e}", file=sys.stderr)
        store.close()
        return 1
    rows = store.read(
        "SELECT end_reason, count(*) AS n FROM negotiations WHERE session_code = ? "
        "GROUP BY end_reason ORDER BY end_reason",
        [code],
    )
    print(
        f"session {code}: {args.runs} negotiation(s) of {names[0]} ({sc.role_ids[0]}) "
        f"against {names[1]} ({sc.role_ids[1]}) on {sc.id}, seed {seed}"
    )
    print("  " + ", ".join(f"{r['end_reason']}: {r['n']}" for r in rows))
    print(
        f"  Database: {args.db}   (python run.py export --db {args.db} --session {code} --out DIR)"
    )
    store.close()
    return 0


# HTTP timeouts of the server (docs/security.md): a connection has KEEPALIVE_S to send a
# request line (idle keep-alive connections close then too), HEADER_S to send its headers, and
# each read or write of a body (or of a WebSocket, which Engine.IO pings every 10 s) may stall
# at most SOCKET_TIMEOUT_S.
KEEPALIVE_S = 10
HEADER_S = 10
SOCKET_TIMEOUT_S = 30


def cmd_serve(args) -> int:
    if not sys.warnoptions:
        # eventlet's deprecation notice is for developers choosing a server, not for whoever
        # runs Parley; given any -W option (or PYTHONWARNINGS), Python's filters decide alone.
        import warnings

        warnings.filterwarnings("ignore", message=EVENTLET_DEPRECATION)
    import eventlet

    eventlet.monkey_patch()

    lock = _lock_database(args.db)
    if lock is None:
        print(
            f"Another Parley server is using the database {args.db} (its lock file "
            f"{args.db}.lock is held). Stop that server, or give this one another --db.",
            file=sys.stderr,
        )
        return 1
    try:
        listener = _listen(args.host, args.port)
    except OSError as e:
        print(
            f"Cannot listen on {args.host}:{args.port}: {e.strerror or e}. Is another server "
            "(another Parley?) running on that port? Stop it, or choose another --port.",
            file=sys.stderr,
        )
        return 1

    from game import create_app
    from game.core.scenario import ScenarioError

    if args.agents:
        from game.server.agents import AgentFileError, load_agents_file

        try:
            loaded = load_agents_file(args.agents)
        except AgentFileError as e:
            print(f"--agents: {e}", file=sys.stderr, flush=True)
            print("  The server starts with the shipped agents only.", file=sys.stderr, flush=True)
        else:
            print(f"  Agents loaded from {args.agents}: {', '.join(loaded)}", flush=True)

    try:
        app = create_app(
            {
                "PARLEY_DB": args.db,
                "PARLEY_SCENARIOS": args.scenarios,
                "ASYNC_MODE": "eventlet",
                "PARLEY_DEMO": True,
                "PARLEY_GC_POLICY": True,  # game/server/collector.py (PARLEY_GC=default: off)
            }
        )
    except ScenarioError as e:
        print("A scenario in the scenarios folder is invalid:", file=sys.stderr)
        for err in e.errors:
            print(f"  {err}", file=sys.stderr)
        return 1
    proxies = _trusted_proxies()
    if proxies:
        # Behind a reverse proxy every client would otherwise have the proxy's address, and the
        # per-address limits would treat the whole world as one client.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    parley = app.extensions["parley"]
    hub, key = parley["hub"], parley["key"]
    host = "localhost" if args.host in ("127.0.0.1", "0.0.0.0", "::") else args.host
    base = f"http://{host}:{args.port}"
    if args.host in ("0.0.0.0", "::"):
        lan = _lan_address()
        if lan:
            base = f"http://{lan}:{args.port}"
    demo = [s for s in hub.list_sessions() if s.demo]
    print("Parley is running.", flush=True)
    print(f"  Students:    {base}/", flush=True)
    print(f"  Instructor:  {base}/instructor", flush=True)
    print(f"  Instructor key: {key}", flush=True)
    if demo:
        print(
            f"  Demo session: code {demo[0].code} ({demo[0].scenario.title}) — open "
            f"{base}/join/{demo[0].code} in two browser tabs to play both sides "
            "(in the second tab, choose 'Join as a new participant')",
            flush=True,
        )
    print(f"  Database: {args.db}   (Ctrl+C stops)", flush=True)
    import gc

    import eventlet.wsgi

    gc.freeze()  # start-up objects never need collecting: shorter GC pauses while serving
    eventlet.wsgi.server(
        listener,
        app,
        max_size=5000,
        log_output=False,
        keepalive=KEEPALIVE_S,
        socket_timeout=SOCKET_TIMEOUT_S,
        protocol=_protocol(),
    )
    del lock  # held until here: the process's life
    return 0


def _trusted_proxies() -> int:
    """PARLEY_TRUSTED_PROXIES: how many reverse proxies stand in front of the server (their
    X-Forwarded-For and X-Forwarded-Proto are then believed); 0 or unset: none."""
    value = os.environ.get("PARLEY_TRUSTED_PROXIES", "").strip()
    if not value:
        return 0
    if not value.isdigit():
        print(f"PARLEY_TRUSTED_PROXIES: {value!r} is not a whole number; ignored", file=sys.stderr)
        return 0
    return int(value)


def _lock_database(db: str):
    """An exclusive lock on ``<db>.lock``, held as long as the returned file is open (the
    process's life): a second server on the same database gets None. The lock is the kernel's
    (flock), so it goes with the process however it ends."""
    import fcntl

    path = Path(db).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    f = open(str(path) + ".lock", "a+")  # noqa: SIM115 - kept open for the process's life
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        return None
    f.truncate(0)
    f.write(f"{os.getpid()}\n")
    f.flush()
    return f


def _listen(host: str, port: int):
    """The listening socket, without SO_REUSEPORT (eventlet's default sets it, and a second
    server on the same port would then start silently and split the class in two)."""
    import eventlet
    import eventlet.green.socket

    addresses = eventlet.green.socket.getaddrinfo(host, port)
    if not addresses:
        raise OSError(f"cannot resolve {host!r}")
    family, *_, sockaddr = addresses[0]
    return eventlet.listen(sockaddr, family, reuse_port=False)


def _protocol():
    """eventlet's HTTP protocol with a deadline on the headers: a client that sends them a byte
    at a time (slowloris) is cut off after HEADER_S, not held for as long as it likes."""
    import eventlet
    import eventlet.wsgi

    class Protocol(eventlet.wsgi.HttpProtocol):
        def parse_request(self):
            timer = eventlet.Timeout(HEADER_S)
            try:
                return super().parse_request()
            except eventlet.Timeout as t:
                if t is not timer:
                    raise
                self.close_connection = 1
                return False
            finally:
                timer.cancel()

    return Protocol


def _lan_address() -> str | None:
    """This machine's address on the local network, from its own name (sends nothing)."""
    import socket

    try:
        addrs = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return None
    for *_, sockaddr in addrs:
        if not sockaddr[0].startswith("127."):
            return sockaddr[0]
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python run.py",
        description="Parley negotiation game",
        epilog="Without a command, run.py serves: 'python run.py --port 5001' is "
        "'python run.py serve --port 5001' (see 'python run.py serve --help').",
    )
    sub = parser.add_subparsers(dest="command")

    s = sub.add_parser("serve", help="start the server (the default)")
    s.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on; 0.0.0.0 for the whole network (default: %(default)s)",
    )
    s.add_argument("--port", type=int, default=5000, help="(default: %(default)s)")
    s.add_argument(
        "--db", metavar="PATH", default="parley.db", help="the SQLite file (default: %(default)s)"
    )
    s.add_argument(
        "--scenarios",
        metavar="DIR",
        default=str(ROOT / "scenarios"),
        help="folder of scenario files (default: the shipped scenarios/)",
    )
    s.add_argument(
        "--agents", metavar="FILE", default=None,
        help="a Python file of agent classes to offer beside the shipped ones (docs/agents.md)",
    )  # fmt: skip
    s.set_defaults(func=cmd_serve)

    v = sub.add_parser("validate", help="check scenario files")
    v.add_argument("files", metavar="FILE", nargs="+", help="scenario files (JSON)")
    v.set_defaults(func=cmd_validate)

    a = sub.add_parser("analyze", help="the outcome space of a scenario")
    a.add_argument("file", metavar="FILE", help="a scenario file (JSON)")
    a.add_argument("--json", action="store_true", help="print one JSON object")
    a.set_defaults(func=cmd_analyze)

    m = sub.add_parser("simulate", help="computer counterparts against each other")
    m.add_argument("scenario", metavar="SCENARIO", help="a scenario file or a scenario id")
    m.add_argument(
        "--agents", metavar="A,B", required=True,
        help="two strategies: A plays the first role, B the second (docs/agents.md)",
    )  # fmt: skip
    m.add_argument(
        "--runs", metavar="N", type=int, default=1, help="negotiations to play (default: 1)"
    )
    m.add_argument(
        "--seed", metavar="S", type=int, default=0, help="the session's seed (default: 0)"
    )
    m.add_argument(
        "--db", metavar="PATH", default="parley.db", help="the SQLite file (default: %(default)s)"
    )
    m.add_argument("--params-a", metavar="JSON", default=None, help="A's parameters (JSON)")
    m.add_argument("--params-b", metavar="JSON", default=None, help="B's parameters (JSON)")
    m.add_argument(
        "--conditions", metavar="C,...", default="any",
        help="conditions drawn in turn (default: any): single, meso, any, and mediated or "
        "single_text with the computer in the middle (docs/protocols.md)",
    )  # fmt: skip
    m.add_argument(
        "--agents-file", metavar="FILE", default=None,
        help="a Python file of agent classes whose names --agents may use (docs/agents.md)",
    )  # fmt: skip
    m.add_argument(
        "--scenarios", metavar="DIR", default=str(ROOT / "scenarios"),
        help="folder of scenario files for ids (default: the shipped scenarios/)",
    )  # fmt: skip
    m.add_argument("--quiet", action="store_true", help="no progress bar")
    m.set_defaults(func=cmd_simulate)

    e = sub.add_parser("export", help="write the research tables as CSV files")
    e.add_argument(
        "--db", metavar="PATH", required=True, help="the SQLite file to read (never changed)"
    )
    e.add_argument(
        "--out", metavar="DIR", required=True, help="folder for the CSV files (created if needed)"
    )
    e.add_argument(
        "--session",
        metavar="CODE",
        default=None,
        help="only this session's rows (any case; spaces and dashes ignored)",
    )
    e.set_defaults(func=cmd_export)

    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["serve", *argv]  # serve is the default command, with or without its options
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
