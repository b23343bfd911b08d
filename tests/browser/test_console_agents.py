"""The console's counters count people: a session where each student plays a computer
counterpart shows its students in the counters and the computer seats only in the tables."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_instructor import clients, login, page  # noqa: F401 - fixtures
from tests.support import Player, scenario_dict


def test_the_counters_count_students_not_computer_seats(server, page, clients):  # noqa: F811
    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(
        scenario="test-supply",
        conditions=["any"],
        agents={"mode": "practice", "strategy": "boulware", "think_s": [60, 60]},
    )
    login(page, server)
    page.goto(server.url + f"/instructor/sessions/{code}")
    for name in ("Ann", "Bob"):
        clients.append(Player(server, server.join(code, name)["token"]))
    for p in clients:
        p.wait_phase("negotiating")
    rows = page.locator("#negotiations tbody tr")
    expect(rows).to_have_count(2)  # each student against a computer
    expect(page.locator("#participants")).to_contain_text("computer · boulware")
    stat = lambda name: page.locator(f'.stats [data-stat="{name}"]')  # noqa: E731
    expect(stat("participants")).to_have_text("2")
    expect(stat("connected")).to_have_text("2")
    expect(stat("negotiating")).to_have_text("2")
    expect(stat("waiting")).to_have_text("0")


def test_a_round_with_one_student_and_a_computer_for_the_odd_seat_can_start(
    server,
    page,  # noqa: F811
    clients,  # noqa: F811
):
    """Rounds where a computer fills the odd seat: one student is enough to start a round, and
    the hint says the computer takes the odd seat; the round pairs the student with it."""
    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(
        scenario="test-supply",
        conditions=["any"],
        pairing="rounds",
        agents={"mode": "fill", "strategy": "linear", "think_s": [60, 60]},
    )
    login(page, server)
    page.goto(server.url + f"/instructor/sessions/{code}")
    start = page.get_by_role("button", name="Start round 1")
    expect(start).to_be_disabled()
    expect(page.locator("#round-hint")).to_contain_text("at least two")
    clients.append(Player(server, server.join(code, "Ann")["token"]))
    expect(page.locator("#round-hint")).to_contain_text(
        "A computer counterpart takes the odd seat."
    )
    expect(start).to_be_enabled()
    start.click()
    clients[0].wait_phase("negotiating")
    expect(page.locator("#negotiations tbody tr")).to_have_count(1)
    expect(page.locator("#negotiations")).to_contain_text("computer · linear")


def test_a_mixed_session_with_a_student_in_the_middle_says_it_seats_pairs_and_threes(
    server,
    page,  # noqa: F811
    clients,  # noqa: F811
):
    assert server.upload(scenario_dict()).status_code == 201
    code = server.create_session(
        scenario="test-supply",
        protocol="mixed",
        conditions=["single", "mediated"],
        pairing="rounds",
        middle="players",
    )
    login(page, server)
    page.goto(server.url + f"/instructor/sessions/{code}")
    for name in ("Ann", "Bob", "Cy"):
        clients.append(Player(server, server.join(code, name)["token"]))
    hint = page.locator("#round-hint")
    expect(hint).to_contain_text("Seats the 3 participants")
    expect(hint).to_contain_text("in pairs and threes, each group by its condition")
    expect(hint).to_contain_text("all but at most one play")
    expect(hint).not_to_contain_text("With an odd number")
    expect(page.get_by_role("button", name="Start round 1")).to_be_enabled()
