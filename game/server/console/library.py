"""The console's scenario library: every scenario, one scenario's tables and outcome space, its
file, and the upload form with each problem shown at its place in the file.

Blueprint ``console.library``, under ``/instructor``:

- ``GET /instructor/scenarios``: the library; ``POST /instructor/scenarios``: upload a file
  (or pasted text)
- ``GET /instructor/scenarios/<id>``: one scenario; ``GET /instructor/scenarios/<id>.json``: its file
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, flash, redirect, request, url_for

from game.core.annotate import annotate, annotate_text
from game.core.scenario import lone_surrogate
from game.server.console.auth import form_post, hub, page, render
from game.server.hub import ApiError

bp = Blueprint("library", __name__)

UPLOAD_MAX = 1024 * 1024
SHOWN_LINES = 2000  # of a file that is not JSON
SHOWN_TEXT = 200_000  # characters of the file sent back into the form


def scenario_choices() -> list[dict[str, Any]]:
    """The library's scenarios by title, with where each came from (shipped or uploaded)."""
    h = hub()
    return [
        {
            "id": sc.id,
            "title": sc.title,
            "max_packages": sc.max_packages,
            "time_limit_s": sc.time_limit_s,
            "max_offers": sc.max_offers,
            "source": h.source_of(sc.id),
        }
        for sc in sorted(h.list_scenarios(), key=lambda s: s.title.lower())
    ]


def _scenario(sid: str):
    sc = hub().scenario(sid)
    if sc is None:
        raise ApiError(404, f"scenario: no scenario {sid!r}")
    return sc


def _scenario_detail(sid: str) -> dict[str, Any]:
    sc = _scenario(sid)
    a = hub().analysis(sc)
    return {
        "scenario": sc.to_dict(),
        "source": hub().source_of(sc.id),
        "analysis": {
            "outcomes": a["outcomes"],
            "max_joint": a["max_joint"],
            "max_joint_points": a["max_joint_points"],
            "frontier_size": a["frontier_size"],
            "pareto": a["pareto"],
            "cloud": a.get("cloud", []),
            "nash": a.get("nash"),
            "compromise": a.get("compromise"),
            "batnas": a["batnas"],
            "ranges": a["ranges"],
            "issues": a["issues"],
        },
    }


@bp.get("/scenarios")
@page
def index():
    return render("scenarios.html", scenarios=scenario_choices(), upload=None)


@bp.get("/scenarios/<sid>")
@page
def show(sid: str):
    d = _scenario_detail(sid)
    kinds = {i["id"]: i["kind"] for i in d["analysis"]["issues"]}
    used_by = sorted(s.code for s in hub().list_sessions() if s.scenario.id == sid)
    return render(
        "scenario.html", d=d, sc=d["scenario"], a=d["analysis"], kinds=kinds, used_by=used_by
    )


@bp.post("/scenarios/<sid>/delete")
@page
@form_post
def delete(sid: str):
    try:
        hub().delete_scenario(sid)
    except ApiError as e:
        if e.status == 404:
            raise
        flash("; ".join(x.partition(": ")[2] or x for x in e.errors), "error")
        return redirect(url_for("console.library.show", sid=sid))
    flash(f"Scenario {sid!r} was deleted from the library.")
    return redirect(url_for("console.library.index"))


@bp.get("/scenarios/<sid>.json")
@page
def download(sid: str):
    sc = _scenario(sid)
    return Response(
        json.dumps(sc.to_dict(), indent=2, ensure_ascii=False) + "\n",
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{sc.id}.json"'},
    )


@bp.post("/scenarios")
@page
@form_post
def upload():
    text = ""
    filename = None
    f = request.files.get("file")
    if f is not None and f.filename:
        filename = f.filename
        raw = f.read(UPLOAD_MAX + 1)
        if len(raw) > UPLOAD_MAX:
            return _upload_failed(filename, "", ["file: larger than 1 MB"], None)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _upload_failed(filename, "", ["file: not UTF-8 text"], None)
    else:
        text = request.form.get("text", "")
    if not text.strip():
        return _upload_failed(filename, text, ["file: choose a scenario file (JSON)"], None)
    try:
        data = json.loads(text)
    except RecursionError:
        return _upload_failed(filename, text, ["file: nested too deeply"], None)
    except json.JSONDecodeError as e:
        return _upload_failed(
            filename,
            text,
            [f"line {e.lineno}, column {e.colno}: not valid JSON ({e.msg})"],
            None,
            syntax_line=e.lineno,
        )
    where = lone_surrogate(data)
    if where is not None:  # shown as the file's text: the decoded value cannot be encoded
        problem = f"{where}: text with a lone surrogate (not valid Unicode)"
        return _upload_failed(filename, text, [problem], None)
    replace = request.form.get("replace")
    try:
        sid = hub().replace_scenario(replace, data) if replace else hub().add_scenario(data)
    except ApiError as e:
        return _upload_failed(filename, text, e.errors, data, status=e.status)
    flash(
        f"Scenario {sid!r} was replaced by its new version."
        if replace
        else f"Scenario {sid!r} was added to the library."
    )
    return redirect(url_for("console.library.show", sid=sid))


def _upload_failed(
    filename: str | None,
    text: str,
    errors: list[str],
    data: Any,
    *,
    status: int = 400,
    syntax_line: int | None = None,
):
    """The library again, with the upload's problems: on the lines of the document when it is
    JSON (see game.core.annotate), on the file's own line when it is not."""
    if data is not None:
        try:  # the file's own lines, so the numbers match it; else the document re-formatted
            lines, unplaced = annotate_text(text, errors)
        except ValueError:
            lines, unplaced = annotate(data, errors)
    else:
        lines = [
            {
                "text": t,
                "errors": [errors[0]] if n + 1 == syntax_line else [],
                "id": "problem-1" if n + 1 == syntax_line else None,
            }
            for n, t in enumerate(text.splitlines()[:SHOWN_LINES])
        ]
        unplaced = [] if syntax_line else errors
    anchors: dict[str, str] = {}
    for line in lines:
        for e in line["errors"]:
            anchors.setdefault(e, line["id"])
    problems = []
    for e in errors:
        place, sep, problem = e.partition(": ")
        problems.append(
            {
                "place": place if sep else "",
                "problem": problem if sep else e,
                "anchor": anchors.get(e),
            }
        )
    upload = {
        "filename": filename,
        "errors": errors,
        "problems": problems,
        "lines": lines,
        "unplaced": unplaced,
        "text": text if len(text) <= SHOWN_TEXT else "",
    }
    return render("scenarios.html", status, scenarios=scenario_choices(), upload=upload)
