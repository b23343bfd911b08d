"""A scenario's problems shown at their place: the document as lines, each problem on its line.

Pure functions, no Flask: the console's upload form (game.server.console.library) draws what
:func:`annotate` returns. A problem is a ``PLACE: problem`` string of ``game.core.scenario``
(``issues[2].options[0].points.candidate: missing``); :func:`place_path` reads its place.
"""

from __future__ import annotations

import bisect
import json
import re
from json.decoder import scanstring
from typing import Any

# the places that mean the whole document
ROOT_PLACES = ("", "scenario", "body", "file")
LONG_VALUE = 100  # characters of a value's JSON beyond which its line is cut

_TOKEN = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def place_path(place: str) -> list[str | int]:
    """``issues[2].options[0].points.candidate`` -> ``["issues", 2, "options", 0, "points",
    "candidate"]``; the empty place, ``scenario``, ``body`` and ``file`` (the whole document)
    -> ``[]``."""
    if place in ROOT_PLACES:
        return []
    out: list[str | int] = []
    for m in _TOKEN.finditer(place):
        out.append(int(m.group(1)) if m.group(1) is not None else m.group(2))
    return out


def source_lines(text: str) -> dict[tuple, int]:
    """Where each place of a JSON document starts in its own text: ``{path: line index}`` (from
    0), so problems are shown on the file's lines as the author numbers them. ``text`` must be
    valid JSON (ValueError otherwise)."""
    breaks = [i for i, ch in enumerate(text) if ch == "\n"]
    where: dict[tuple, int] = {}
    pos = 0

    def skip() -> None:
        nonlocal pos
        while pos < len(text) and text[pos] in " \t\r\n\ufeff":
            pos += 1

    def mark(path: tuple) -> None:
        where.setdefault(path, bisect.bisect_left(breaks, pos))

    def value(path: tuple) -> None:
        nonlocal pos
        skip()
        mark(path)
        c = text[pos]
        if c in "{[":
            close, n = "}" if c == "{" else "]", 0
            pos += 1
            skip()
            while text[pos] != close:
                if c == "{":
                    start = pos
                    key, pos = scanstring(text, pos + 1)
                    pos, inner = start, path + (key,)
                    mark(inner)
                    _, pos = scanstring(text, pos + 1)
                    skip()
                    pos += 1  # the colon
                else:
                    inner = path + (n,)
                value(inner)
                n += 1
                skip()
                if text[pos] == ",":
                    pos += 1
                    skip()
            pos += 1
        elif c == '"':
            _, pos = scanstring(text, pos + 1)
        else:
            while pos < len(text) and text[pos] not in ",]} \t\r\n":
                pos += 1

    try:
        value(())
    except (IndexError, json.JSONDecodeError) as e:
        raise ValueError(f"not valid JSON ({e})") from e
    return where


def annotate_text(text: str, errors: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """As :func:`annotate`, on the file's own lines (so line numbers match the file); lines
    longer than 200 characters are cut."""
    where = source_lines(text)
    lines = [
        {"text": t if len(t) <= 200 else t[:199] + "…", "errors": [], "id": None}
        for t in text.splitlines() or [""]
    ]
    return _place(lines, where, errors)


def annotate(data: Any, errors: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The document pretty-printed as lines, each problem attached to the line of its place.

    The lines are those of ``json.dumps(data, indent=2, ensure_ascii=False)``, but for a value
    longer than 100 characters, which is cut. A problem whose place is missing from the document
    (``roles[0].batna: missing``) goes to the nearest enclosing line that exists (``roles[0]``);
    a problem of the whole document (``scenario: must be a JSON object``) to the first line.
    Returns (lines, problems with no line); each line is ``{"text", "errors": [...], "id"}``,
    ``id`` being ``problem-N`` on the Nth line with problems and None elsewhere. The second list
    is empty as every problem finds at least the first line; the upload form shows it all the
    same, as it shows the problems of a file that is not JSON.
    """
    lines: list[dict[str, Any]] = []
    where: dict[tuple, int] = {}

    def emit(text: str, path: tuple) -> None:
        if path not in where:
            where[path] = len(lines)
        lines.append({"text": text, "errors": [], "id": None})

    def walk(v: Any, path: tuple, indent: int, prefix: str, comma: str) -> None:
        pad = "  " * indent
        if isinstance(v, dict) and v:
            emit(f"{pad}{prefix}{{", path)
            items = list(v.items())
            for n, (k, x) in enumerate(items):
                key = json.dumps(k, ensure_ascii=False)
                walk(x, path + (k,), indent + 1, f"{key}: ", "," if n < len(items) - 1 else "")
            lines.append({"text": f"{pad}}}{comma}", "errors": [], "id": None})
        elif isinstance(v, list) and v:
            emit(f"{pad}{prefix}[", path)
            for n, x in enumerate(v):
                walk(x, path + (n,), indent + 1, "", "," if n < len(v) - 1 else "")
            lines.append({"text": f"{pad}]{comma}", "errors": [], "id": None})
        else:
            text = json.dumps(v, ensure_ascii=False)
            if len(text) > LONG_VALUE:
                text = text[: LONG_VALUE - 3] + '…"'
            emit(f"{pad}{prefix}{text}{comma}", path)

    walk(data, (), 0, "", "")
    return _place(lines, where, errors)


def _place(lines: list[dict], where: dict[tuple, int], errors: list[str]):
    """Each problem on the line of its place (or of the nearest enclosing place); numbered."""
    unplaced = []
    for e in errors:
        place, sep, _ = e.partition(": ")
        path = tuple(place_path(place)) if sep else ()
        while path not in where and path:
            path = path[:-1]
        if path in where:
            lines[where[path]]["errors"].append(e)
        else:
            unplaced.append(e)
    n = 0
    for line in lines:
        if line["errors"]:
            n += 1
            line["id"] = f"problem-{n}"
    return lines, unplaced
