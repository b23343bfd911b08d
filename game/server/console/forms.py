"""The console's questionnaires: every questionnaire a session may attach (the files of
questionnaires/ and the uploaded ones), and the upload form with each problem shown at its place
in the file, as for scenarios.

Blueprint ``console.forms``, under ``/instructor``:

- ``GET /instructor/questionnaires``: the list; ``POST /instructor/questionnaires``: upload a
  file (or pasted text)
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for

from game.core import questionnaires
from game.server.console.auth import form_post, hub, page, render
from game.server.console.library import problems, read_upload
from game.server.hub import ApiError

bp = Blueprint("forms", __name__)


def choices() -> list[dict]:
    h = hub()
    return [
        {
            "id": q["id"],
            "title": q["title"],
            "source": h.forms.source(q["id"]),
            "pages": len(q["pages"]),
            "item_count": len(questionnaires.items(q)),
            "scales": sorted({it["scale"] for it in questionnaires.items(q) if it.get("scale")}),
        }
        for q in h.forms.all()
    ]


@bp.get("/questionnaires")
@page
def index():
    return render("questionnaires.html", forms=choices(), upload=None)


@bp.post("/questionnaires")
@page
@form_post
def upload():
    filename, text, data, failed = read_upload("questionnaire")
    if failed:
        return _failed(*failed)
    try:
        qid = hub().add_questionnaire(data)
    except ApiError as e:
        return _failed(filename, text, e.errors, data, e.status)
    flash(f"Questionnaire {qid!r} was added.")
    return redirect(url_for("console.forms.index"))


def _failed(filename, text, errors, data, status: int = 400, syntax_line=None):
    upload = problems(filename, text, errors, data, syntax_line=syntax_line)
    return render("questionnaires.html", status, forms=choices(), upload=upload)
