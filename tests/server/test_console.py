"""The console's parts (game/server/console/: auth, sessions, library, reports) are one console:
the same headers, the same error pages, the same navigation, whichever part answers. Against
the real server; tests/server/test_instructor_auth.py holds the guards themselves."""

from __future__ import annotations

import re

import pytest
import requests

from tests.server.test_instructor_auth import csrf_of, login
from tests.support import Player, Server


@pytest.fixture(scope="module")
def world(module_server: Server):
    """A session with two players negotiating."""
    s = module_server
    code = s.create_session(scenario="test-supply", pairing="arrival", conditions=["single"])
    players = [Player(s, s.join(code, name)["token"]) for name in ("Ann", "Bob")]
    for p in players:
        p.wait_phase("negotiating")
    web, csrf = login(s)
    yield {"server": s, "code": code, "nid": players[0].neg["id"], "web": web, "csrf": csrf}
    for p in players:
        p.close()


def get(w, path: str) -> requests.Response:
    return w["web"].get(w["server"].url + path, allow_redirects=False, timeout=10)


def current(html: str) -> list[str]:
    """The names of the links marked as the current page (the navigation and the tabs)."""
    found = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)<', html)
    return [x.strip() for x in found]


def test_every_part_sends_the_consoles_headers(world):
    code = world["code"]
    for path in (
        "/instructor",  # auth (a redirect when logged in: the headers all the same)
        "/instructor/sessions",
        f"/instructor/sessions/{code}",
        "/instructor/scenarios/test-supply",
        f"/instructor/sessions/{code}/debrief",
        f"/instructor/sessions/{code}/export",
    ):
        r = get(world, path)
        assert r.status_code in (200, 302), path
        csp = r.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "connect-src 'self';" in csp, path
        assert r.headers["X-Content-Type-Options"] == "nosniff", path
        if r.status_code == 200:
            assert r.headers["Cache-Control"] == "no-store", path
    # a session of offers alone: every condition has a first offer
    assert 'id="compare-middle-note"' not in get(world, f"/instructor/sessions/{code}/debrief").text


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("/instructor/sessions/NOPE42", "no session with code"),
        ("/instructor/sessions/NOPE42/debrief", "no session with code"),
        ("/instructor/sessions/NOPE42/export", "no session with code"),
        ("/instructor/scenarios/no-such-thing", "no scenario"),
        ("/instructor/scenarios/no-such-thing.json", "no scenario"),
    ],
)
def test_a_page_of_nothing_is_the_consoles_not_found_page(world, path, problem):
    r = get(world, path)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<h1>Not found</h1>" in r.text and problem in r.text
    assert csrf_of(r.text)  # the console's layout, with its logout form


@pytest.mark.parametrize(
    "path",
    [
        "/instructor/api/sessions/NOPE42/debrief",
        "/instructor/api/negotiations/n_nope/path",
        "/instructor/api/sessions/NOPE42/export.zip",
    ],
)
def test_the_consoles_json_of_nothing_is_a_json_404(world, path):
    r = get(world, path)
    assert r.status_code == 404
    (error,) = r.json()["errors"]
    assert error.startswith(("code: no session", "negotiation: no negotiation"))


def test_the_navigation_marks_the_part_of_the_console_in_use(world):
    code = world["code"]
    assert current(get(world, "/instructor/sessions").text) == ["Sessions"]
    assert current(get(world, "/instructor/sessions/new").text) == ["New session"]
    assert current(get(world, "/instructor/scenarios").text) == ["Scenarios"]
    assert current(get(world, "/instructor/scenarios/test-supply").text) == ["Scenarios"]
    assert current(get(world, f"/instructor/sessions/{code}").text) == ["Sessions", "Live"]
    assert current(get(world, f"/instructor/sessions/{code}/debrief").text) == [
        "Sessions",
        "Debrief",
    ]
    assert current(get(world, f"/instructor/sessions/{code}/export").text) == [
        "Sessions",
        "Export",
    ]
    # a refused form shows the new session form again, still marked
    r = world["web"].post(
        world["server"].url + "/instructor/sessions/new",
        data={"csrf_token": world["csrf"], "scenario": "test-supply"},
        timeout=10,
    )
    assert r.status_code == 400 and "choose at least one condition" in r.text
    assert current(r.text) == ["New session"]


def test_the_library_tells_uploaded_scenarios_from_shipped_ones(world):
    html = get(world, "/instructor/scenarios").text
    assert re.search(r"test-supply · uploaded ·", html)
    assert re.search(r"job-offer · shipped ·", html)
    assert "test-supply · uploaded" in get(world, "/instructor/scenarios/test-supply").text
    assert "job-offer · shipped" in get(world, "/instructor/scenarios/job-offer").text


def test_the_sessions_list_counts_each_sessions_people_and_negotiations(world):
    html = get(world, "/instructor/sessions").text
    row = re.search(rf"<tr>\s*<th scope=\"row\">(?:(?!</tr>).)*{world['code']}.*?</tr>", html, re.S)
    assert row, "no row for the session"
    cells = [
        " ".join(re.sub(r"<[^>]+>", " ", c).split())
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row[0], re.S)
    ]
    assert cells[0] == "Test supply deal"
    assert cells[3] == "2 (2 online)"
    assert cells[4] == "1 (1 open)"


def test_the_new_session_form_sets_seats_and_the_debrief(world):
    """Issue 10: "Allow several seats per browser" and "Debrief for students" reach the session;
    an arrival session always debriefs each pair at its end."""
    s, web = world["server"], world["web"]
    form = {"csrf_token": world["csrf"], "scenario": "test-supply", "cond_any": "1"}
    made = []
    for extra in (
        {"pairing": "rounds"},
        {"pairing": "rounds", "debrief": "immediate", "multiple_seats": "1"},
        {"pairing": "arrival", "debrief": "round_end"},
    ):
        r = web.post(s.url + "/instructor/sessions/new", data={**form, **extra}, timeout=10)
        assert r.status_code == 200 and "/instructor/sessions/" in r.url, r.text[:300]
        view = s.api("GET", "/api/sessions/" + r.url.rstrip("/").rsplit("/", 1)[1]).json()
        made.append((view["debrief"], view["multiple_seats"]))
    assert made == [("round_end", False), ("immediate", True), ("immediate", False)]
    html = get(world, "/instructor/sessions/new").text
    assert 'id="multiple_seats"' in html and 'id="debrief_round_end" name="debrief"' in html
