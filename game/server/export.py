"""The research tables of PROTOCOL.md section 5, read from the store.

Everything is read on the store's read-only connection and recomputed from the event log with
the same protocol code that plays (``records.state_from_row``), so an export is the log's truth,
not a cache. docs/data-dictionary.md describes every column. :func:`session_zip` puts one
session's tables, its scenario, its settings and the dictionary in one zip (the console's
download).
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import zipfile
from pathlib import Path
from typing import Any

from game.core import analysis, protocols, scoring
from game.core.protocols import pss_measures
from game.core.scenario import parse
from game.paths import DOCS
from game.server import export_middle, records
from game.server import study_export as study
from game.server.export_columns import (
    EVENT_COLUMNS,
    NEGOTIATION_COLUMNS,
    OFFER_COLUMNS,
    PARTICIPANT_COLUMNS,
)
from game.server.export_columns import NEW_COLUMNS as NEW_COLUMNS  # the tests read them here
from game.server.store import Store, iso

TABLES = (
    "negotiations",
    "offers",
    "events",
    "participants",
    "steps",
    "responses",
    "participants_wide",
)
DATA_DICTIONARY = DOCS / "data-dictionary.md"
_LOCAL_LINK = re.compile(r"\[([^\]]+)\]\((?!https?:|#|mailto:)([^)\s]+)\)")


def unlinked(markdown: str) -> str:
    """The data dictionary for the zip: links to the project's other files (not in the zip)
    become plain text naming the file, relative to docs/data-dictionary.md in Parley."""
    return _LOCAL_LINK.sub(
        lambda m: f"{m[1]} (`{m[2]}` beside docs/data-dictionary.md in Parley)", markdown
    )


COLUMNS = {
    "negotiations": NEGOTIATION_COLUMNS,
    "offers": OFFER_COLUMNS,
    "events": EVENT_COLUMNS,
    "participants": PARTICIPANT_COLUMNS,
    "steps": export_middle.STEP_COLUMNS,
    "responses": study.RESPONSE_COLUMNS,
    "participants_wide": study.WIDE_COLUMNS,
}


def _where(session_code: str | None) -> tuple[str, list]:
    return ("WHERE session_code = ?", [session_code]) if session_code else ("", [])


def _session_rows(store: Store, session_code: str | None) -> list[dict]:
    where, params = _where(session_code)
    # SELECT *: a database from before protocols (export reads it as it is) has no column
    return store.read(f"SELECT * FROM sessions {where.replace('session_code', 'code')}", params)


def _states(
    store: Store, session_code: str | None, session_rows: list[dict] | None = None
) -> list[tuple[dict, Any]]:
    """Each negotiation's row and state (the fold of its events), in start order."""
    where, params = _where(session_code)
    if session_rows is None:
        session_rows = _session_rows(store, session_code)
    sessions = {
        r["code"]: (
            parse(json.loads(r["scenario_json"])),
            r.get("protocol"),
            json.loads(r["protocol_options"]) if r.get("protocol_options") else None,
        )
        for r in session_rows
    }
    rows = store.read(f"SELECT * FROM negotiations {where} ORDER BY started, rowid", params)
    events: dict[str, list[dict]] = {}
    for r in store.read(
        f"SELECT * FROM events {where + (' AND' if where else 'WHERE')} negotiation_id IS NOT NULL"
        " ORDER BY event_id",
        params,
    ):
        events.setdefault(r["negotiation_id"], []).append(Store._event(r))
    out = []
    for row in rows:
        sc, protocol, options = sessions[row["session_code"]]
        events_of = events.get(row["negotiation_id"], [])
        out.append((row, records.state_from_row(row, sc, events_of, protocol, options)))
    return out


def _negotiations(store: Store, session_code: str | None) -> list[dict]:
    cache: dict[int, list] = {}
    out = []
    names: list[str] = []  # each negotiation's protocol
    session_rows = _session_rows(store, session_code)
    for row, st in _states(store, session_code, session_rows):
        sc = st.scenario
        key = id(sc)
        if key not in cache:
            cache[key] = analysis.frontier(sc)
        frontier = cache[key]
        metrics = scoring.score(st, frontier=frontier)
        o = st.outcome
        agreed = o is not None and o.reason == "accepted"
        rec: dict[str, Any] = {
            "negotiation_id": st.id,
            "session_code": row["session_code"],
            "scenario_id": sc.id,
            "condition": st.condition,
            "condition_index": row["condition_index"],
            "round": row["round"],
            "role_0": sc.role_ids[0],
            "role_1": sc.role_ids[1],
            "participant_0": row["participant_0"],
            "participant_1": row["participant_1"],
            "status": st.status,
            "end_reason": o.reason if o else None,
            "agreement": o.package if agreed else None,
            "points_0": o.points[0] if o else None,
            "points_1": o.points[1] if o else None,
            "joint": (o.points[0] + o.points[1]) if o else None,
            "max_joint": metrics.get("max_joint"),
            "pareto_optimal": metrics.get("pareto_optimal") if agreed else None,
            "offers_count": len(st.offers),
            "started_at": iso(st.started_at),
            "ended_at": iso(st.ended_at),
            "deadline_at": iso(st.deadline),
            "max_offers": st.max_offers,
        }
        for k, v in metrics.items():
            if k not in rec:
                rec[k] = v
        if export_middle.has_middle(st):
            rec.update(export_middle.negotiation_extra(row, st, frontier))
        if hasattr(st, "phase"):  # played with a post-settlement phase: its columns
            extra = pss_measures.measures(st, frontier=frontier)
            extra["first_deal_at"] = iso(extra["first_deal_at"]) if extra["first_deal_at"] else None
            rec.update(extra)
        out.append(rec)
        names.append(next(m.NAME for m in protocols.REGISTRY.values() if type(st) is m.State))
    if any("protocol" in r for r in out) or _middle_possible(session_rows):
        # a middle seat's columns, in every row of an export whose sessions can have one (empty
        # where they do not apply), each row naming its protocol: an export taken before the
        # first mediated negotiation ended has the same columns as one taken after
        for rec, name in zip(out, names, strict=True):
            rec.setdefault("protocol", name)
            for k in export_middle.NEGOTIATION_EXTRA:
                rec.setdefault(k, None)
    return out


def _middle_possible(rows: list[dict]) -> bool:
    """Whether a session of the export plays a protocol with a middle seat (mediated,
    single_text, or a mixed session with such a condition)."""
    return any(
        protocols.has_middle(r.get("protocol") or protocols.DEFAULT, json.loads(r["conditions"]))
        for r in rows
    )


def _offers(store: Store, session_code: str | None) -> list[dict]:
    out = []
    proposers: dict[str, str] = {}
    where, params = _where(session_code)
    for r in store.read(
        f"SELECT payload, participant_id FROM events {where + (' AND' if where else 'WHERE')}"
        " type = 'proposed'",
        params,
    ):
        proposers[json.loads(r["payload"])["offer_id"]] = r["participant_id"]
    for row, st in _states(store, session_code):
        sc = st.scenario
        o = st.outcome
        deal = o.package if o is not None and o.reason == "accepted" else None
        if getattr(st, "phase", None) is not None:  # pss: the offer accepted made the first deal
            deal = st.phase.first[0]
        for offer in st.offers:
            k = sc.role_index(offer.by)
            for i, (pk, pts) in enumerate(zip(offer.packages, offer.points, strict=True)):
                out.append(
                    {
                        "offer_id": offer.id,
                        "negotiation_id": st.id,
                        "session_code": row["session_code"],
                        "seq": offer.seq,
                        "proposer_role": offer.by,
                        "recipient_role": sc.other(offer.by),
                        "proposer_participant_id": proposers.get(offer.id),
                        "package_index": i,
                        "packages_in_offer": len(offer.packages),
                        "package": pk,
                        "proposer_points": pts[k],
                        "recipient_points": pts[1 - k],
                        "points_0": pts[0],
                        "points_1": pts[1],
                        "joint": pts[0] + pts[1],
                        "based_on_offer_id": (offer.based_on or {}).get("offer_id"),
                        "based_on_package": (offer.based_on or {}).get("package"),
                        "accepted": bool(deal is not None and st.latest is offer and deal == pk),
                        "created_at": iso(offer.at),
                        **{f"option_{issue}": option for issue, option in pk.items()},
                    }
                )
    return out


def _events(store: Store, session_code: str | None) -> list[dict]:
    where, params = _where(session_code)
    return [
        {c: r[c] for c in EVENT_COLUMNS}
        for r in store.read(f"SELECT * FROM events {where} ORDER BY event_id", params)
    ]


def _participants(store: Store, session_code: str | None) -> list[dict]:
    where, params = _where(session_code)
    have = {r["name"] for r in store.read("PRAGMA table_info(participants)")}
    # kind, strategy and params since schema 3; before it every participant was a human
    agents = (
        "kind, strategy, params"
        if "kind" in have
        else "NULL AS kind, NULL AS strategy, NULL AS params"
    )
    rows = store.read(
        f"SELECT participant_id, session_code, name, label, joined_at, {agents} FROM participants"
        f" {where} ORDER BY seq",
        params,
    )
    for r in rows:
        r["kind"] = r["kind"] or "human"
    return study.participants(store, rows, session_code)


def table(store: Store, name: str, session_code: str | None = None) -> list[dict]:
    return {
        "negotiations": _negotiations,
        "offers": _offers,
        "events": _events,
        "participants": _participants,
        "steps": lambda store, code: export_middle.steps(_states(store, code)),
        "responses": study.responses,
        "participants_wide": study.wide,
    }[name](store, session_code)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        # text a participant typed must never run as a spreadsheet formula (CSV injection)
        return "'" + v if v.startswith(FORMULA_START) else v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list, tuple)):
        return json.dumps(v, separators=(",", ":"))
    if isinstance(v, float):
        return repr(round(v, 6)) if v != int(v) or abs(v) >= 1e15 else str(int(v))
    return str(v)


def csv_text(rows: list[dict], name: str) -> str:
    columns = list(COLUMNS[name])
    for r in rows:
        for k in r:
            if k not in columns:
                columns.append(k)
    if name == "negotiations" and not rows:
        columns += [c for c in scoring.summary_columns() if c not in columns]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in columns])
    return buf.getvalue()


def session_csv(store: Store, name: str, session_code: str | None) -> str:
    return csv_text(table(store, name, session_code), name)


def write_all(store: Store, out_dir: str | Path, session_code: str | None = None) -> list[Path]:
    """Every table as CSV into ``out_dir``, and for each session a folder named by its code with
    the files :func:`session_files` gives (the same files the zip holds)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in TABLES:
        p = out / f"{name}.csv"
        p.write_text(csv_text(table(store, name, session_code), name), encoding="utf-8")
        paths.append(p)
    where, params = _where(session_code)
    codes = [
        r["code"]
        for r in store.read(
            f"SELECT code FROM sessions {where.replace('session_code', 'code')} ORDER BY code",
            params,
        )
    ]
    for code in codes:
        folder = out / code
        folder.mkdir(exist_ok=True)
        for name, text in session_files(store, code).items():
            p = folder / name
            p.write_text(text, encoding="utf-8")
            paths.append(p)
    if DATA_DICTIONARY.exists():
        p = out / "data-dictionary.md"
        p.write_text(unlinked(DATA_DICTIONARY.read_text(encoding="utf-8")), encoding="utf-8")
        paths.append(p)
    return paths


def rounds_started(store: Store, session_code: str) -> int:
    """How many rounds a session has started: the largest ``round_started`` event's round."""
    rows = store.read(
        "SELECT MAX(CAST(json_extract(payload, '$.round') AS INTEGER)) AS n FROM events "
        "WHERE session_code = ? AND type = 'round_started'",
        [session_code],
    )
    return (rows[0]["n"] if rows else None) or 0


def session_files(store: Store, session_code: str, *, now: float | None = None) -> dict[str, str]:
    """A session's own files: ``scenario.json`` (its copy, both roles' points and BATNAs),
    ``session.json`` (its settings with the condition seed) and ``outcome-space.json`` (the
    frontier, Nash and max joint of that copy). A code with no session: KeyError."""
    rows = store.read("SELECT * FROM sessions WHERE code = ?", [session_code])
    if not rows:
        raise KeyError(session_code)
    row = rows[0]
    now = time.time() if now is None else now
    scenario = json.loads(row["scenario_json"])
    settings = {
        "code": row["code"],
        "scenario_id": row["scenario_id"],
        "protocol": row.get("protocol") or "offers",
        "conditions": json.loads(row["conditions"]),
        "seed": row["seed"],
        "pairing": row["pairing"],
        "time_limit_s": row["time_limit_s"],
        "max_offers": row["max_offers"],
        "middle": row.get("middle") or "players",
        "rotate": bool(row.get("rotate")),
        "rounds": rounds_started(store, row["code"]),
        "study": study.settings_of(row),
        "created_at": row["created_at"],
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
    }
    space = analysis.analyze(parse(scenario))
    return {
        "scenario.json": json.dumps(scenario, indent=2, ensure_ascii=False),
        "session.json": json.dumps(settings, indent=2),
        "outcome-space.json": json.dumps(space, indent=2),
    }


def session_zip(store: Store, session_code: str, *, now: float | None = None) -> tuple[str, bytes]:
    """One session's zip: (its file name, its bytes). In a folder ``parley-CODE-YYYYMMDD-HHMM``:
    every table as CSV, the session's own files (:func:`session_files`: ``scenario.json``,
    ``session.json``, ``outcome-space.json``) and docs/data-dictionary.md when it is there:
    the same files ``export`` writes for the session on the command line.

    Everything is read from the store's read-only connections, so it is safe in a native
    thread (the console runs it through ``web.offload``). A code with no session: KeyError.
    """
    rows = store.read("SELECT code FROM sessions WHERE code = ?", [session_code])
    if not rows:
        raise KeyError(session_code)
    code = rows[0]["code"]
    now = time.time() if now is None else now
    stamp = time.strftime("%Y%m%d-%H%M", time.gmtime(now))
    folder = f"parley-{code}-{stamp}"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in TABLES:
            z.writestr(f"{folder}/{name}.csv", session_csv(store, name, code))
        for name, text in session_files(store, code, now=now).items():
            z.writestr(f"{folder}/{name}", text)
        if DATA_DICTIONARY.exists():
            text = unlinked(DATA_DICTIONARY.read_text(encoding="utf-8"))
            z.writestr(f"{folder}/data-dictionary.md", text)
    return f"{folder}.zip", buf.getvalue()
