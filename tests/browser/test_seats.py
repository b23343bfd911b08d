"""Issue 10 on screen: the instructor removes a seat (with confirmation) and sees seats flagged;
a student of a round sees their own outcome and a note until the instructor opens the round's
debrief with its button; the join page offers no second seat where the session allows one only.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.test_instructor import login
from tests.browser.test_student import join
from tests.support import Player, scenario_dict

playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = pytest.mark.browser


@pytest.fixture
def clients():
    made: list[Player] = []
    yield made
    for p in made:
        p.close()


def test_the_instructor_removes_a_squatters_seat_and_sees_a_name_that_joined_twice(
    server, student, clients, shot
):
    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(scenario="test-supply")
    console = student(viewport={"width": 1280, "height": 900})
    login(console, server)
    console.goto(f"{server.url}/instructor/sessions/{code}")
    squat = Player(server, server.join(code, "Ann")["token"])
    clients.append(squat)
    squat.wait_phase("lobby")
    rows = console.locator("#participants tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(re.compile(r"\d\d:\d\d:\d\d"))  # the join time
    # a second "Ann" (another seat with the same name) is flagged on both rows
    server.join(code, "ann")
    expect(rows).to_have_count(2)
    expect(console.locator(".seat-flag[data-flag=name]")).to_have_count(2)
    expect(rows.first).to_contain_text("same name as another seat")
    shot(console, "seats-flagged")
    # Remove asks first; dismissing changes nothing
    button = console.get_by_role("button", name="Remove seat 1: Ann", exact=True)
    console.once("dialog", lambda d: d.dismiss())
    button.click()
    expect(rows).to_have_count(2)
    assert squat.client.connected
    # confirmed: the seat goes, the flags with it, and the squatter's connection is closed
    console.once("dialog", lambda d: d.accept())
    button.click()
    expect(console.locator("#action-status")).to_have_text("Removed the seat of Ann.")
    expect(rows).to_have_count(1)
    expect(console.locator(".seat-flag")).to_have_count(0)
    console.set_viewport_size({"width": 375, "height": 800})
    shot(console, "seats-removed-375")


def test_a_round_debrief_waits_for_the_round_or_the_instructors_button(
    server, student, clients, shot
):
    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(scenario="test-supply", pairing="rounds")
    ana = join(student(), server, code, "Ana")
    expect(ana.get_by_role("heading", name=re.compile("Waiting"))).to_be_visible()
    clients.extend(
        Player(server, server.join(code, name)["token"]) for name in ("Ben", "Cy", "Dee")
    )
    for p in clients:
        p.wait_phase("lobby")
    console = student(viewport={"width": 1280, "height": 900})
    login(console, server)
    console.goto(f"{server.url}/instructor/sessions/{code}")
    open_button = console.get_by_role("button", name=re.compile("Open the debrief of round"))
    expect(open_button).to_be_hidden()
    console.get_by_role("button", name=re.compile("Start round")).click()
    expect(open_button).to_be_visible()
    expect(open_button).to_contain_text("round 1")

    # Ana walks away: her own outcome, and the note; no debrief while the other pair plays
    expect(ana.locator("#turn-text")).to_have_text(re.compile("turn"))
    ana.get_by_role("button", name="Walk away", exact=True).click()
    ana.get_by_role("dialog").get_by_role("button", name="Yes, walk away").click()
    expect(ana.locator("#debrief-pending")).to_contain_text("The debrief opens when the round ends")
    expect(ana.get_by_role("heading", name="Debrief")).to_have_count(0)
    expect(ana.locator("#outcome canvas")).to_have_count(0)
    shot(ana, "debrief-pending")
    ana.set_viewport_size({"width": 375, "height": 800})
    shot(ana, "debrief-pending-375")

    # the instructor opens it (after confirming): Ana's page shows the debrief
    console.once("dialog", lambda d: d.accept())
    open_button.click()
    expect(console.locator("#action-status")).to_have_text("The debrief of round 1 is open.")
    expect(ana.get_by_role("heading", name="Debrief")).to_be_visible()
    expect(ana.locator("#debrief-pending")).to_have_count(0)
    expect(open_button).to_be_hidden()


def test_the_join_page_offers_no_second_seat_where_the_session_gives_one(server, student):
    code = server.create_session(scenario="job-offer", conditions=["meso"])
    one = join(student(), server, code, "Tab One")
    expect(one.get_by_role("heading", name="Waiting for a partner")).to_be_visible()
    two = one.context.new_page()
    two.goto(f"{server.url}/join/{code}")
    expect(two.get_by_role("link", name="Continue as Tab One")).to_be_visible()
    expect(two.locator("#one-seat-note")).to_contain_text("one seat")
    expect(two.get_by_role("button", name="Join as a new participant")).to_be_hidden()
    expect(two.get_by_label("Your name")).to_be_hidden()


def test_a_long_chat_shows_the_last_messages_and_says_how_many_are_not_shown(
    server, student, clients
):
    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(scenario="test-supply")
    ana = join(student(), server, code, "Ana")
    expect(ana.get_by_role("heading", name="Waiting for a partner")).to_be_visible()
    ben = Player(server, server.join(code, "Ben")["token"])
    clients.append(ben)
    ben.wait_phase("negotiating")
    log = ana.locator("#chat-log")
    for n in range(55):
        assert ben.call("chat", {"text": f"message {n}"})["ok"]
        time.sleep(0.06)  # pacing inside the rate limit, not waiting for anything
    # the open page appended every message as it came
    expect(log.locator("li.chat-msg")).to_have_count(55)
    expect(log.locator("li.chat-older")).to_have_count(0)
    # reloaded, it shows the last 50 (what a state carries) and says what it leaves out
    ana.reload()
    expect(log.locator("li.chat-msg")).to_have_count(50)
    expect(log.locator("li.chat-msg").first).to_contain_text("message 5")
    expect(log.locator("li.chat-older")).to_have_text(
        "5 earlier messages are not shown here (the whole chat is kept in the session's record)."
    )
    # and goes on appending
    assert ben.call("chat", {"text": "one more"})["ok"]
    expect(log.locator("li.chat-msg")).to_have_count(51)
    expect(log.locator("li.chat-msg").last).to_contain_text("one more")
