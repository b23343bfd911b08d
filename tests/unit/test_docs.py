"""The docs say what the code does: documented limits and values against the code's constants,
documented command-line options against ``python run.py <command> --help``, documented export
columns against the export's.

Each test reads the docs (as sqlite-utils' test_docs does), so a change to either side that
leaves the other behind fails here, naming the place.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys

import pytest

import game
from game.core import lobby, requests, scenario
from game.core.protocols import offers_payloads as rules
from game.server import export, realtime, transport
from game.server.console import library
from tests.support import ROOT, scenario_dict

DOCS = ROOT / "docs"
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}


@functools.cache
def doc(name: str) -> str:
    """A doc's text with every run of white space as one space (sentences wrap across lines)."""
    path = ROOT / name if name == "README.md" else DOCS / name
    return " ".join(path.read_text().split())


def found(name: str, pattern: str) -> tuple[str, ...]:
    """The groups of ``pattern``'s one match in a doc; fails naming the doc when it is gone."""
    hits = re.findall(pattern, doc(name))
    assert hits, f"{name} no longer says {pattern!r}: update the doc or this test"
    return tuple(hits[0]) if isinstance(hits[0], tuple) else (hits[0],)


def num(text: str) -> float:
    text = text.replace(",", "")
    return WORDS[text] if text in WORDS else float(text)


# ---------------------------------------------------------------- limits of play


def test_rate_limit():
    rate, burst = found(
        "protocol.md",
        r"Limits: (\d+) events a second sustained per connection and per participant "
        r"\(all its connections together\), bursts of (\d+)",
    )
    assert (num(rate), num(burst)) == (transport.RATE, transport.BURST)


def test_socketio_message_size():
    (kib,) = found("protocol.md", r"payloads above (\d+) KiB are refused by the transport")
    assert num(kib) * 1024 == game.MAX_HTTP_BUFFER_SIZE


def test_http_body_size():
    (mib,) = found("protocol.md", r"A request body above (\d+) MiB is refused with 413")
    assert num(mib) * 1024 * 1024 == game.MAX_CONTENT_LENGTH


def test_the_app_uses_the_size_constants(tmp_path):
    app = game.create_app({"PARLEY_DB": str(tmp_path / "x.db"), "PARLEY_BACKGROUND": False})
    try:
        assert app.config["MAX_CONTENT_LENGTH"] == game.MAX_CONTENT_LENGTH
        eio = app.extensions["socketio"].server.eio
        assert eio.max_http_buffer_size == game.MAX_HTTP_BUFFER_SIZE
        code = app.extensions["parley"]["hub"].create_session({"scenario": "job-offer"})
        too_big = b"{" + b" " * game.MAX_CONTENT_LENGTH + b"}"
        r = app.test_client().post(
            f"/api/sessions/{code}/join", data=too_big, content_type="application/json"
        )
        assert r.status_code == 413 and r.get_json()["errors"]
    finally:
        app.extensions["parley"]["store"].close()


def test_chat_length():
    for name, pattern in (
        ("protocol.md", r"chat text 1–(\d+) characters after trimming"),
        ("data-dictionary.md", r"`text` \(1–(\d+) characters, trimmed\)"),
    ):
        (n,) = found(name, pattern)
        assert num(n) == rules.MAX_CHAT, name


def test_packages_in_a_payload():
    (n,) = found("protocol.md", r"at most (\d+) packages in a payload")
    (m,) = found("protocol.md", r"Only the first (\d+) given packages are read")
    assert num(n) == num(m) == rules.MAX_PAYLOAD_PACKAGES


def test_name_and_label_length():
    name, label = found(
        "protocol.md", r"the name is 1–(\d+) characters after trimming \(label at most (\d+)\)"
    )
    assert (num(name), num(label)) == (requests.NAME_MAX, requests.LABEL_MAX)
    (name,) = found("data-dictionary.md", r"the name typed at join, 1–(\d+) characters")
    (label,) = found("data-dictionary.md", r"an optional label of at most (\d+) characters")
    assert (num(name), num(label)) == (requests.NAME_MAX, requests.LABEL_MAX)


def test_session_codes():
    length, alphabet = found("protocol.md", r"Session codes are (\w+) characters from `(\w+)`")
    assert num(length) == lobby.CODE_LENGTH
    assert alphabet == lobby.CODE_ALPHABET


def test_instructor_updates_and_deadline_checks():
    found("protocol.md", r"at most once a second while anything changes")
    found("instructor.md", r"updates by itself, at most once a second")
    assert realtime.INSTRUCTOR_PUSH_S == 1.0
    (tick,) = found("architecture.md", r"checked by one background task every ([\d.]+) s")
    assert num(tick) == realtime.TICK_S


# ---------------------------------------------------------------- scenario format


def test_scenario_limits():
    ids = re.findall(r"`\[a-z0-9_-\]\+`, at most (\d+) characters", doc("scenarios.md"))
    assert len(ids) == 4 and {num(x) for x in ids} == {scenario.MAX_ID_CHARS}
    texts = re.findall(r"at most ([\d,]+) characters; Markdown", doc("scenarios.md"))
    assert len(texts) == 2 and {num(x) for x in texts} == {scenario.MAX_TEXT}
    (title,) = found(
        "scenarios.md", r"\| `title` \| text \| not empty, at most ([\d,]+) characters"
    )
    assert num(title) == scenario.MAX_TEXT
    (issues,) = found("scenarios.md", r"\| 1 to (\d+) issue objects")
    assert num(issues) == scenario.MAX_ISSUES
    (options,) = found("scenarios.md", r"\| 2 to (\d+) option objects")
    assert num(options) == scenario.MAX_OPTIONS
    (packages,) = found("scenarios.md", r"\| `max_packages` \| whole number \| 1 to (\d+) \|")
    assert num(packages) == scenario.MAX_PACKAGES
    (offers,) = found("scenarios.md", r"\| `max_offers` \| whole number \| 1 to (\d+) \|")
    assert num(offers) == scenario.MAX_OFFERS
    (mb,) = found("scenarios.md", r"`\.json` file \(at most (\d+) MB\)")
    assert num(mb) * 1024 * 1024 == library.UPLOAD_MAX


@pytest.mark.parametrize(
    "key, good, bad",
    [
        ("id", "a" * scenario.MAX_ID_CHARS, "a" * (scenario.MAX_ID_CHARS + 1)),
        ("max_packages", scenario.MAX_PACKAGES, scenario.MAX_PACKAGES + 1),
        ("max_offers", scenario.MAX_OFFERS, scenario.MAX_OFFERS + 1),
        ("description", "x" * scenario.MAX_TEXT, "x" * (scenario.MAX_TEXT + 1)),
    ],
)
def test_the_scenario_rules_use_the_documented_limits(key, good, bad):
    scenario.parse(scenario_dict(**{key: good}))
    with pytest.raises(scenario.ScenarioError) as e:
        scenario.parse(scenario_dict(**{key: bad}))
    assert [x for x in e.value.errors if x.startswith(f"{key}:")], e.value.errors


# ---------------------------------------------------------------- export columns


def section(name: str, heading: str) -> str:
    """The raw text of a doc's section, from its heading to the next heading."""
    text = (DOCS / name).read_text()
    start = text.index(heading + "\n")
    rest = text[start + len(heading) + 1 :]
    end = re.search(r"^#{2,3} ", rest, re.M)
    return rest[: end.start()] if end else rest


@pytest.mark.parametrize("table", export.TABLES)
def test_export_columns(table):
    body = section("data-dictionary.md", f"## `{table}`")
    documented = re.findall(r"^\| `([a-z0-9_]+)` \|", body, re.M)
    cols = export.csv_text([], table).rstrip("\n").split(",")  # the header an export writes
    assert documented == cols
    # the header rows of the real excerpts are the export's too
    text = (DOCS / "data-dictionary.md").read_text()
    headers = [line for line in text.splitlines() if line.startswith(f"{cols[0]},{cols[1]},")]
    assert headers, f"no excerpt of {table}.csv in data-dictionary.md"
    assert all(line == ",".join(cols) for line in headers)


# ---------------------------------------------------------------- the command line


@functools.cache
def help_text(command: str | None) -> str:
    args = [command, "--help"] if command else ["--help"]
    done = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def commands() -> list[str]:
    (choices,) = re.findall(r"\{([a-z,]+)\}", help_text(None))[:1]
    return choices.split(",")


def options(command: str) -> set[str]:
    return set(re.findall(r"(?m)^\s+(--[a-z][a-z-]*)", help_text(command))) - {"--help"}


def usage(command: str) -> str:
    text = help_text(command)
    return " ".join(text[: text.index("\n\n")].split())


def parse_command(line: str) -> tuple[str, list[str]] | None:
    """``python run.py ...`` as written in a doc: (command, the words after it), or None for a
    placeholder such as ``COMMAND``. Without a command word it is ``serve``."""
    words = line.split()
    assert words[:2] == ["python", "run.py"], line
    words = words[2:]
    if words and re.fullmatch(r"[A-Z]+", words[0]):
        return None
    if words and not words[0].startswith(("-", "[")):
        return words[0], words[1:]
    return "serve", words


def cli_rows() -> list[str]:
    return re.findall(r"^\| `(python run\.py[^`]*)` \|", (DOCS / "cli.md").read_text(), re.M)


def test_cli_md_lists_every_command_and_only_those():
    documented = {parse_command(row)[0] for row in cli_rows()}
    assert documented == set(commands())


@pytest.mark.parametrize("command", ["serve", "validate", "analyze", "export"])
def test_cli_md_documents_each_option_as_help_gives_it(command):
    assert command in commands()
    rows = [w for row in cli_rows() if (p := parse_command(row)) and p[0] == command for w in [p]]
    assert rows, f"docs/cli.md has no row for {command}"
    flags: set[str] = set()
    for _, words in rows:
        words = [w.strip("[]") for w in words if w.strip("[]")]
        for i, w in enumerate(words):
            if w.startswith("--"):
                flags.add(w)
                value = words[i + 1] if i + 1 < len(words) else ""
                if not value or value.startswith("--") or value == "...":
                    continue
                if value.isupper():  # a placeholder: the help's metavar
                    assert f"{w} {value}" in usage(command), (w, value, usage(command))
                else:  # a default
                    assert f"(default: {value})" in help_text(command).replace("\n", " "), (
                        w,
                        value,
                    )
            elif not (i and words[i - 1].startswith("--")):
                assert w.rstrip(".") in usage(command).split(), (w, usage(command))
    assert flags == options(command), f"{command}: documented {flags}, --help {options(command)}"


def test_every_run_py_line_in_the_docs_uses_real_options():
    """Every ``python run.py ...`` written in README.md or docs/ names a real command and only
    options that command has."""
    seen = 0
    for path in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        for m in re.finditer(r"python (?:-W \w+ )?run\.py((?: [^\s`|#\\]+)*)", path.read_text()):
            parsed = parse_command("python run.py" + m.group(1))
            if parsed is None:
                continue
            command, words = parsed
            place = f"{path.name}: {m.group(0)}"
            assert command in commands(), place
            for w in words:
                flag = w.strip("[]")
                if flag.startswith("--") and flag != "--help":
                    assert flag in options(command), place
            seen += 1
    assert seen > 10


def test_options_without_a_command_are_serves():
    """cli.md: ``python run.py --port 5001`` is ``python run.py serve --port 5001``."""
    found("cli.md", r"`python run\.py --port 5001` is `python run\.py serve --port 5001`")
    assert "python run.py --port 5001" in help_text(None).replace("\n", " ")


def test_chat_caps():
    """The caps of a negotiation's chat and the messages a state carries (issue 10)."""
    (msgs, chars) = found(
        "protocol.md", r"chat holds at most (\d+) messages and ([\d,]+) characters"
    )
    (shown,) = found("protocol.md", r"the last (\d+) messages only")
    (m2, c2) = found("data-dictionary.md", r"at most (\d+) per negotiation and ([\d,]+) characters")
    assert num(msgs) == num(m2) == rules.MAX_CHAT_MESSAGES
    assert num(chars) == num(c2) == rules.MAX_CHAT_CHARS
    assert num(shown) == rules.CHAT_SHOWN
