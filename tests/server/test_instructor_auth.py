"""The instructor's console refuses everyone without the key, and every forged form.

Pages need the console's signed cookie (set by logging in with the key) and redirect to the
login form without it; the JSON calls (the console's and PROTOCOL.md section 3's) answer 401
without a valid key or cookie; every form needs the session's CSRF token (403 otherwise) and
changes nothing when refused; the API's changes made with the cookie need the token in the
``X-CSRF-Token`` header. All against the real server.
"""

from __future__ import annotations

import re

import pytest
import requests
import socketio

from tests.support import KEY, Player, Server

WRONG = "not-the-instructor-key"


@pytest.fixture(scope="module")
def world(module_server: Server):
    """A rounds session with one negotiation of two connected players, and a finished one."""
    s = module_server
    code = s.create_session(scenario="test-supply", pairing="arrival", conditions=["single"])
    players = [Player(s, s.join(code, name)["token"]) for name in ("Ann", "Bob")]
    for p in players:
        p.wait_phase("negotiating")
    nid = players[0].neg["id"]
    rounds_code = s.create_session(scenario="test-supply", pairing="rounds")
    yield {"server": s, "code": code, "nid": nid, "rounds": rounds_code}
    for p in players:
        p.close()


def login(server: Server, key: str = KEY) -> tuple[requests.Session, str]:
    """A browser-like session logged in to the console; (session, its CSRF token)."""
    web = requests.Session()
    r = web.get(server.url + "/instructor", timeout=10)
    token = csrf_of(r.text)
    r = web.post(
        server.url + "/instructor/login",
        data={"key": key, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 302, r.text
    return web, csrf_of(web.get(server.url + "/instructor/sessions", timeout=10).text)


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def pages(w) -> list[str]:
    code, nid = w["code"], w["nid"]
    del nid
    return [
        "/instructor/sessions",
        "/instructor/sessions/new",
        f"/instructor/sessions/{code}",
        f"/instructor/sessions/{code}/debrief",
        f"/instructor/sessions/{code}/export",
        "/instructor/scenarios",
        "/instructor/scenarios/test-supply",
        "/instructor/scenarios/test-supply.json",
    ]


def forms(w) -> list[tuple[str, dict]]:
    """Every form of the console, with otherwise valid fields."""
    return [
        (
            "/instructor/sessions/new",
            {"scenario": "test-supply", "cond_single": "1", "pairing": "rounds"},
        ),
        ("/instructor/scenarios", {"text": '{"id": "x"}'}),
        (f"/instructor/sessions/{w['rounds']}/round", {}),
        (f"/instructor/sessions/{w['code']}/pair", {}),
        (f"/instructor/negotiations/{w['nid']}/end", {}),
        ("/instructor/logout", {}),
    ]


def console_api(w) -> list[str]:
    return [
        f"/instructor/api/sessions/{w['code']}/debrief",
        f"/instructor/api/negotiations/{w['nid']}/path",
        f"/instructor/api/sessions/{w['code']}/export.zip",
    ]


def protocol_api(w) -> list[tuple[str, str]]:
    code, nid = w["code"], w["nid"]
    return [
        ("POST", "/api/scenarios"),
        ("GET", "/api/scenarios"),
        ("GET", "/api/scenarios/test-supply"),
        ("POST", "/api/sessions"),
        ("GET", "/api/sessions"),
        ("GET", f"/api/sessions/{code}"),
        ("POST", f"/api/sessions/{w['rounds']}/rounds"),
        ("POST", f"/api/sessions/{code}/pair"),
        ("POST", f"/api/negotiations/{nid}/end"),
        ("GET", f"/api/sessions/{code}/standings"),
        ("GET", f"/api/sessions/{code}/export/negotiations.csv"),
    ]


def sessions_count(server: Server) -> int:
    return len(server.api("GET", "/api/sessions").json())


def negotiation_status(w) -> str:
    view = w["server"].api("GET", f"/api/sessions/{w['code']}").json()
    return next(n["status"] for n in view["negotiations"] if n["negotiation_id"] == w["nid"])


# ---------------------------------------------------------------- pages


def test_every_page_redirects_to_the_login_form_without_the_cookie(world):
    s = world["server"]
    for path in pages(world):
        for headers in ({}, {"Authorization": f"Bearer {WRONG}"}):
            r = requests.get(s.url + path, headers=headers, allow_redirects=False, timeout=10)
            assert r.status_code == 302, path
            assert r.headers["Location"].startswith("/instructor"), path
            assert "next=" in r.headers["Location"], path
            assert 'id="boot"' not in r.text and "<table" not in r.text, path


def test_a_cookie_signed_with_another_secret_is_not_a_login(world, tmp_path):
    other = Server(tmp_path / "other").start()
    try:
        web, _ = login(other, KEY)
    finally:
        other.stop()
    s = world["server"]
    for path in pages(world):
        r = web.get(s.url + path, allow_redirects=False, timeout=10)
        assert r.status_code == 302, path


def test_every_page_opens_with_the_cookie(world):
    web, _ = login(world["server"])
    for path in pages(world):
        r = web.get(world["server"].url + path, allow_redirects=False, timeout=10)
        assert r.status_code == 200, path
    r = web.get(world["server"].url + "/instructor/sessions/NOPE42", timeout=10)
    assert r.status_code == 404


def test_pages_forbid_framing_and_inline_scripts(world):
    web, _ = login(world["server"])
    r = web.get(world["server"].url + f"/instructor/sessions/{world['code']}", timeout=10)
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers["Cache-Control"] == "no-store"


# ---------------------------------------------------------------- login and logout


def test_the_login_form_refuses_a_wrong_or_missing_key(world):
    s = world["server"]
    for key in (WRONG, "", KEY + " x", KEY.upper()):
        web = requests.Session()
        token = csrf_of(web.get(s.url + "/instructor", timeout=10).text)
        r = web.post(
            s.url + "/instructor/login",
            data={"key": key, "csrf_token": token},
            allow_redirects=False,
            timeout=10,
        )
        assert r.status_code == 401, key
        assert "not the instructor key" in r.text
        r = web.get(s.url + "/instructor/sessions", allow_redirects=False, timeout=10)
        assert r.status_code == 302


def test_the_login_form_itself_needs_its_csrf_token(world):
    s = world["server"]
    for token in (None, "forged-token"):
        web = requests.Session()
        web.get(s.url + "/instructor", timeout=10)
        data = {"key": KEY}
        if token:
            data["csrf_token"] = token
        r = web.post(s.url + "/instructor/login", data=data, allow_redirects=False, timeout=10)
        assert r.status_code == 403
        r = web.get(s.url + "/instructor/sessions", allow_redirects=False, timeout=10)
        assert r.status_code == 302, "a forged login form must not log in"


def test_login_goes_back_only_to_a_console_page(world):
    s = world["server"]
    for target, expected in (
        (f"/instructor/sessions/{world['code']}", f"/instructor/sessions/{world['code']}"),
        ("https://evil.example/phish", "/instructor/sessions"),
        ("//evil.example/x", "/instructor/sessions"),
        ("/api/sessions", "/instructor/sessions"),
    ):
        web = requests.Session()
        token = csrf_of(web.get(s.url + "/instructor", timeout=10).text)
        r = web.post(
            s.url + "/instructor/login",
            data={"key": KEY, "csrf_token": token, "next": target},
            allow_redirects=False,
            timeout=10,
        )
        assert r.status_code == 302
        assert r.headers["Location"] == expected, target


def test_logout_ends_the_login(world):
    s = world["server"]
    web, token = login(s)
    r = web.post(
        s.url + "/instructor/logout",
        data={"csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 302
    r = web.get(s.url + "/instructor/sessions", allow_redirects=False, timeout=10)
    assert r.status_code == 302
    r = web.get(s.url + f"/instructor/api/sessions/{world['code']}/debrief", timeout=10)
    assert r.status_code == 401


# ---------------------------------------------------------------- forms


def test_forms_without_the_cookie_do_nothing(world):
    s = world["server"]
    before = sessions_count(s)
    for path, data in forms(world):
        r = requests.post(s.url + path, data=data, allow_redirects=False, timeout=10)
        # to the login form, or 403 for the logout form (it has no token either)
        assert r.status_code in (302, 403), path
        if r.status_code == 302:
            assert r.headers["Location"].startswith("/instructor?next="), path
    assert sessions_count(s) == before
    assert negotiation_status(world) == "open"
    assert s.api("GET", f"/api/sessions/{world['rounds']}").json()["round"] == 0


def test_forged_forms_are_refused_and_change_nothing(world):
    s = world["server"]
    web, token = login(s)
    before = sessions_count(s)
    for path, data in forms(world):
        for forged in (None, "forged-token", token[:-2] + "xx"):
            body = dict(data)
            if forged is not None:
                body["csrf_token"] = forged
            r = web.post(s.url + path, data=body, allow_redirects=False, timeout=10)
            assert r.status_code == 403, (path, forged)
    # a token of one login is no good in another
    other, _ = login(s)
    r = other.post(
        s.url + "/instructor/sessions/new",
        data={**forms(world)[0][1], "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 403
    assert sessions_count(s) == before
    assert negotiation_status(world) == "open"
    assert s.api("GET", f"/api/sessions/{world['rounds']}").json()["round"] == 0
    # still logged in: the refused logout did not log out
    assert web.get(s.url + "/instructor/sessions", allow_redirects=False).status_code == 200


def test_a_form_with_its_token_works(world):
    s = world["server"]
    web, token = login(s)
    before = sessions_count(s)
    r = web.post(
        s.url + "/instructor/sessions/new",
        data={
            "scenario": "test-supply",
            "cond_meso": "1",
            "pairing": "rounds",
            "csrf_token": token,
        },
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 302 and r.headers["Location"].startswith("/instructor/sessions/")
    assert sessions_count(s) == before + 1


# ---------------------------------------------------------------- JSON calls


def test_console_api_refuses_a_missing_or_wrong_key(world):
    s = world["server"]
    for path in console_api(world):
        assert requests.get(s.url + path, timeout=10).status_code == 401, path
        r = s.api("GET", path, key=WRONG)
        assert r.status_code == 401, path
        assert r.json()["errors"]
        assert s.api("GET", path).status_code == 200, path


def test_console_api_opens_with_the_cookie(world):
    web, _ = login(world["server"])
    for path in console_api(world):
        assert web.get(world["server"].url + path, timeout=10).status_code == 200, path


def test_protocol_api_refuses_a_missing_or_wrong_key(world):
    s = world["server"]
    for method, path in protocol_api(world):
        for key in (None, WRONG, ""):
            r = s.api(method, path, key=key, json={})
            assert r.status_code == 401, (method, path, key)
    assert negotiation_status(world) == "open"


def test_protocol_api_changes_with_the_cookie_need_the_csrf_header(world):
    s = world["server"]
    web, token = login(s)
    for method, path in protocol_api(world):
        if method != "POST":
            continue
        for headers in ({}, {"X-CSRF-Token": "forged"}):
            r = web.post(s.url + path, json={}, headers=headers, timeout=10)
            assert r.status_code == 403, (path, headers)
    assert negotiation_status(world) == "open"
    r = web.post(
        s.url + f"/api/negotiations/{world['nid']}/end",
        json={},
        headers={"X-CSRF-Token": token},
        timeout=10,
    )
    assert r.status_code == 200
    assert negotiation_status(world) == "impasse"


def test_the_instructor_namespace_refuses_a_missing_or_wrong_key(world):
    s = world["server"]
    for auth in (None, {"key": WRONG}, {"token": "x"}):
        client = socketio.Client(reconnection=False)
        errors = []
        client.on("connect_error", errors.append, namespace="/instructor")
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(
                s.url, namespaces=["/instructor"], auth=auth, transports=["websocket"],
                wait_timeout=5,
            )  # fmt: skip
        client.disconnect()
        assert errors[-1]["message"] == "instructor key required"


def test_a_logged_in_form_starts_a_round_and_says_so(module_server, players):
    s = module_server
    code = s.create_session(scenario="test-supply", pairing="rounds")
    ps = [players(s, s.join(code, f"F{k}")["token"]) for k in range(4)]
    for p in ps:
        p.wait_phase("lobby")
    web, token = login(s)
    r = web.post(
        f"{s.url}/instructor/sessions/{code}/round", data={"csrf_token": token}, timeout=10
    )
    assert r.status_code == 200  # followed back to the session page
    assert "Round 1 started: 2 negotiations." in r.text
    for p in ps:
        p.wait_phase("negotiating")
    # everyone is negotiating: pairing the waiting ones starts a round with nobody free
    r = web.post(f"{s.url}/instructor/sessions/{code}/pair", data={"csrf_token": token}, timeout=10)
    assert "Paired 0 negotiations." in r.text
    assert s.api("GET", f"/api/sessions/{code}").json()["round"] == 1
