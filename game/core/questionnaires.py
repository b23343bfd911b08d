"""Questionnaires: load, validate (every problem at its place), check an answer, score scales.

A questionnaire is a JSON document (one per file in questionnaires/, or uploaded) of pages of
items; docs/questionnaires.md describes the format. It stays plain data once validated (the
session keeps its own copy, as it does its scenario). Nothing here does I/O except
:func:`load_file` and :func:`load_dir`.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

ID_RE = re.compile(r"[a-z0-9_-]+")
MAX_ID_CHARS = 64
MAX_TEXT = 5000  # titles, intros and item texts
MAX_PAGES = 30
MAX_ITEMS = 60  # per page
MAX_OPTIONS = 30
MAX_POINTS = 11  # a Likert scale has 2 to 11 points
TEXT_MAX = 200  # the default and largest max_length of a short text answer
LONG_TEXT_MAX = 5000  # of a long text answer

KINDS = ("likert", "number", "single", "multiple", "text", "long_text", "slider", "attention")
TOP_KEYS = {"id": True, "title": True, "intro": False, "pages": True}
PAGE_KEYS = {"title": False, "intro": False, "items": True}
COMMON_KEYS = {"id", "kind", "text", "required", "scale", "reverse"}
KIND_KEYS = {
    "likert": {"points", "anchors"},
    "number": {"min", "max", "integer", "unit"},
    "single": {"options"},
    "multiple": {"options", "min_choices", "max_choices"},
    "text": {"max_length"},
    "long_text": {"max_length"},
    "slider": {"min", "max", "step", "anchors"},
    "attention": {"options", "expected"},
}
OPTION_KEYS = {"id", "label"}


class QuestionnaireError(ValueError):
    """A questionnaire that cannot be used; ``errors`` lists every problem as ``PLACE: problem``."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = list(errors)


class AnswerError(ValueError):
    """An answer refused: ``message`` names the item and what is wrong."""


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _text(x: Any, *, empty: bool = False) -> bool:
    return isinstance(x, str) and (empty or x.strip() != "") and len(x) <= MAX_TEXT


def _id_problem(x: Any) -> str | None:
    if not isinstance(x, str) or not ID_RE.fullmatch(x) or len(x) > MAX_ID_CHARS:
        return f"must be an id of 1 to {MAX_ID_CHARS} characters of a-z, 0-9, _ and -"
    return None


def _keys(where: str, data: dict, allowed: dict[str, bool] | set[str], errors: list[str]):
    for k in data:
        if k not in allowed:
            errors.append(f"{where}.{k}: unknown key" if where else f"{k}: unknown key")
    if isinstance(allowed, dict):
        for k, required in allowed.items():
            if required and k not in data:
                errors.append(f"{where}.{k}: missing" if where else f"{k}: missing")


def _options(where: str, opts: Any, errors: list[str]) -> list[str]:
    if not isinstance(opts, list) or not 2 <= len(opts) <= MAX_OPTIONS:
        errors.append(f"{where}: must be a list of 2 to {MAX_OPTIONS} options")
        return []
    ids = []
    for j, o in enumerate(opts):
        at = f"{where}[{j}]"
        if not isinstance(o, dict):
            errors.append(f"{at}: must be an object with id and label")
            continue
        _keys(at, o, {"id": True, "label": True}, errors)
        problem = _id_problem(o.get("id"))
        if "id" in o and problem:
            errors.append(f"{at}.id: {problem}")
        elif o.get("id") in ids:
            errors.append(f"{at}.id: {o['id']!r} is used twice")
        if "label" in o and not _text(o["label"]):
            errors.append(f"{at}.label: must be text of 1 to {MAX_TEXT} characters")
        ids.append(o.get("id"))
    return ids


def _anchors(where: str, anchors: Any, lo: float, hi: float, errors: list[str]) -> None:
    if not isinstance(anchors, dict) or not anchors:
        errors.append(f'{where}: must be an object of labels by point, such as {{"1": "..."}}')
        return
    for k, v in anchors.items():
        try:
            point = float(k)
        except ValueError:
            point = math.nan
        if not lo <= point <= hi:
            errors.append(f"{where}.{k}: not a point of the scale ({_show(lo)} to {_show(hi)})")
        if not _text(v):
            errors.append(f"{where}.{k}: must be text of 1 to {MAX_TEXT} characters")


def _show(x: float) -> str:
    return str(int(x)) if _num(x) and x == int(x) else str(x)


def _item(where: str, item: Any, errors: list[str]) -> None:
    if not isinstance(item, dict):
        errors.append(f"{where}: must be an object")
        return
    kind = item.get("kind")
    if kind not in KINDS:
        errors.append(f"{where}.kind: must be one of {', '.join(KINDS)}, not {kind!r}")
        _keys(where, item, COMMON_KEYS | set().union(*KIND_KEYS.values()), errors)
        return
    _keys(where, item, COMMON_KEYS | KIND_KEYS[kind], errors)
    for k in ("id", "text"):
        if k not in item:
            errors.append(f"{where}.{k}: missing")
    if "id" in item and _id_problem(item["id"]):
        errors.append(f"{where}.id: {_id_problem(item['id'])}")
    if "text" in item and not _text(item["text"]):
        errors.append(f"{where}.text: must be text of 1 to {MAX_TEXT} characters")
    for k in ("required", "reverse", "integer"):
        if k in item and not isinstance(item[k], bool):
            errors.append(f"{where}.{k}: must be true or false")
    if "scale" in item and _id_problem(item["scale"]):
        errors.append(f"{where}.scale: {_id_problem(item['scale'])}")
    if ("scale" in item or "reverse" in item) and kind not in ("likert", "slider", "number"):
        errors.append(f"{where}.scale: only likert, slider and number items belong to scales")
    if kind == "likert":
        pts = item.get("points")
        if not isinstance(pts, int) or isinstance(pts, bool) or not 2 <= pts <= MAX_POINTS:
            errors.append(f"{where}.points: must be a whole number from 2 to {MAX_POINTS}")
            pts = MAX_POINTS
        if "anchors" not in item:
            errors.append(f"{where}.anchors: missing")
        else:
            _anchors(f"{where}.anchors", item["anchors"], 1, pts, errors)
    elif kind in ("number", "slider"):
        lo, hi = item.get("min"), item.get("max")
        for k, v in (("min", lo), ("max", hi)):
            if k not in item and kind == "slider":
                errors.append(f"{where}.{k}: missing")
            elif k in item and not _num(v):
                errors.append(f"{where}.{k}: must be a number")
        if _num(lo) and _num(hi) and lo >= hi:
            errors.append(f"{where}.max: must be greater than min ({_show(lo)})")
        if kind == "slider":
            step = item.get("step", 1)
            if not _num(step) or step <= 0:
                errors.append(f"{where}.step: must be a positive number")
            if "anchors" in item and _num(lo) and _num(hi):
                _anchors(f"{where}.anchors", item["anchors"], lo, hi, errors)
        if "unit" in item and not _text(item["unit"]):
            errors.append(f"{where}.unit: must be text")
    elif kind in ("single", "multiple", "attention"):
        if "options" not in item:
            errors.append(f"{where}.options: missing")
            ids = []
        else:
            ids = _options(f"{where}.options", item["options"], errors)
        if kind == "attention":
            if "expected" not in item:
                errors.append(f"{where}.expected: missing")
            elif ids and item["expected"] not in ids:
                errors.append(f"{where}.expected: {item['expected']!r} is not one of the options")
        if kind == "multiple":
            for k in ("min_choices", "max_choices"):
                v = item.get(k)
                if k in item and (
                    not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= len(ids)
                ):
                    errors.append(f"{where}.{k}: must be a whole number from 0 to {len(ids)}")
    elif kind in ("text", "long_text"):
        top = TEXT_MAX if kind == "text" else LONG_TEXT_MAX
        m = item.get("max_length", top)
        if not isinstance(m, int) or isinstance(m, bool) or not 1 <= m <= top:
            errors.append(f"{where}.max_length: must be a whole number from 1 to {top}")


def validate(data: Any) -> list[str]:
    """Every problem of a questionnaire document, each as ``PLACE: problem``; [] when valid."""
    if not isinstance(data, dict):
        return ["questionnaire: must be a JSON object"]
    errors: list[str] = []
    _keys("", data, TOP_KEYS, errors)
    if "id" in data and _id_problem(data["id"]):
        errors.append(f"id: {_id_problem(data['id'])}")
    if "title" in data and not _text(data["title"]):
        errors.append(f"title: must be text of 1 to {MAX_TEXT} characters")
    if "intro" in data and not _text(data["intro"], empty=True):
        errors.append(f"intro: must be text of at most {MAX_TEXT} characters")
    pages = data.get("pages")
    if "pages" in data and (not isinstance(pages, list) or not 1 <= len(pages) <= MAX_PAGES):
        errors.append(f"pages: must be a list of 1 to {MAX_PAGES} pages")
        pages = []
    seen: dict[str, str] = {}
    for i, page in enumerate(pages or []):
        at = f"pages[{i}]"
        if not isinstance(page, dict):
            errors.append(f"{at}: must be an object with items")
            continue
        _keys(at, page, PAGE_KEYS, errors)
        for k in ("title", "intro"):
            if k in page and not _text(page[k], empty=True):
                errors.append(f"{at}.{k}: must be text of at most {MAX_TEXT} characters")
        items = page.get("items")
        if "items" in page and (not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS):
            errors.append(f"{at}.items: must be a list of 1 to {MAX_ITEMS} items")
            items = []
        for j, item in enumerate(items or []):
            where = f"{at}.items[{j}]"
            _item(where, item, errors)
            iid = item.get("id") if isinstance(item, dict) else None
            if isinstance(iid, str):
                if iid in seen:
                    errors.append(f"{where}.id: {iid!r} is used twice (also at {seen[iid]})")
                else:
                    seen[iid] = where
    return errors


def parse(data: Any) -> dict:
    """The questionnaire itself once valid; raises QuestionnaireError listing every problem."""
    errors = validate(data)
    if errors:
        raise QuestionnaireError(errors)
    return data


def loads(text: str) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise QuestionnaireError([f"json: line {e.lineno} column {e.colno}: {e.msg}"]) from e
    return parse(data)


def load_file(path: str | Path) -> dict:
    path = Path(path)
    try:
        return loads(path.read_text(encoding="utf-8"))
    except QuestionnaireError as e:
        raise QuestionnaireError([f"{path.name}: {x}" for x in e.errors]) from e


def load_dir(directory: str | Path) -> list[dict]:
    """Every questionnaire in a folder (``*.json``), sorted by id; a bad file raises."""
    out: dict[str, dict] = {}
    for path in sorted(Path(directory).glob("*.json")):
        q = load_file(path)
        if q["id"] in out:
            raise QuestionnaireError([f"{path.name}: id {q['id']!r} is used by another file"])
        out[q["id"]] = q
    return [out[k] for k in sorted(out)]


# ---------------------------------------------------------------- reading one


def items(q: dict) -> list[dict]:
    """Every item of a questionnaire, in page order."""
    return [item for page in q["pages"] for item in page["items"]]


def item(q: dict, item_id: Any) -> dict:
    for it in items(q):
        if it["id"] == item_id:
            return it
    raise AnswerError(f"item: {q['id']} has no item {item_id!r}")


def check_answer(q: dict, item_id: Any, value: Any) -> Any:
    """The answer to keep for ``item_id`` (``None`` clears it), or AnswerError naming the item
    and what is wrong with the value."""
    it = item(q, item_id)
    kind = it["kind"]
    where = f"{q['id']}.{it['id']}"
    if value is None:
        return None
    if kind == "likert":
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= it["points"]:
            raise AnswerError(f"{where}: must be a whole number from 1 to {it['points']}")
    elif kind in ("number", "slider"):
        if not _num(value):
            raise AnswerError(f"{where}: must be a number")
        lo, hi = it.get("min", -math.inf), it.get("max", math.inf)
        if not lo <= value <= hi:
            raise AnswerError(f"{where}: must be from {_show(lo)} to {_show(hi)}")
        if kind == "number" and it.get("integer") and value != int(value):
            raise AnswerError(f"{where}: must be a whole number")
        if kind == "slider":
            step = it.get("step", 1)
            k = (value - lo) / step
            if abs(k - round(k)) > 1e-9:
                raise AnswerError(f"{where}: must be a step of {_show(step)} from {_show(lo)}")
        if isinstance(value, float) and value == int(value):
            value = int(value)
    elif kind in ("single", "attention"):
        ids = [o["id"] for o in it["options"]]
        if value not in ids:
            raise AnswerError(f"{where}: must be one of {', '.join(ids)}")
    elif kind == "multiple":
        ids = [o["id"] for o in it["options"]]
        if not isinstance(value, list) or any(v not in ids for v in value):
            raise AnswerError(f"{where}: must be a list of some of {', '.join(ids)}")
        if len(set(value)) != len(value):
            raise AnswerError(f"{where}: an option is chosen twice")
        lo, hi = it.get("min_choices", 0), it.get("max_choices", len(ids))
        if not lo <= len(value) <= hi:
            raise AnswerError(f"{where}: choose from {lo} to {hi} options")
        value = [i for i in ids if i in value]  # the file's order
    else:  # text, long_text
        top = it.get("max_length", TEXT_MAX if kind == "text" else LONG_TEXT_MAX)
        if not isinstance(value, str):
            raise AnswerError(f"{where}: must be text")
        value = value.strip()
        if len(value) > top:
            raise AnswerError(f"{where}: too long ({len(value)} characters; at most {top})")
        if not value:
            return None
    return value


def missing(q: dict, page: int, answers: dict[str, Any]) -> list[str]:
    """The required items of a page that have no answer, by id."""
    return [
        it["id"]
        for it in q["pages"][page]["items"]
        if it.get("required") and answers.get(it["id"]) is None
    ]


def is_correct(it: dict, value: Any) -> bool | None:
    """For an attention check, whether the answer is the expected one; None for other items."""
    if it["kind"] != "attention":
        return None
    return value == it["expected"]


def scale_scores(q: dict, answers: dict[str, Any]) -> dict[str, float]:
    """Each scale's mean over its answered items, a reversed Likert item as points + 1 - value."""
    sums: dict[str, list[float]] = {}
    for it in items(q):
        scale = it.get("scale")
        v = answers.get(it["id"])
        if scale is None or not _num(v):
            continue
        if it.get("reverse") and it["kind"] == "likert":
            v = it["points"] + 1 - v
        sums.setdefault(scale, []).append(v)
    return {k: sum(v) / len(v) for k, v in sums.items()}
