"""The instructor's side of the protocols with a middle seat, in the browser: the new session
form's protocol, middle seat and rotation fields, and the console screen where the instructor
sits in the middle seat of a trio."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_instructor import login, page  # noqa: F401 (fixtures)
from tests.support import scenario_dict


def test_the_new_session_form_creates_a_mixed_session_with_the_computer_in_the_middle(
    server,
    page,  # noqa: F811
    shot,
):
    assert server.upload(scenario_dict()).status_code == 201
    login(page, server)
    page.goto(server.url + "/instructor/sessions/new")
    page.get_by_label("Scenario").select_option("test-supply")
    # direct offers: the offers' conditions, no middle seat
    expect(page.locator("#fld-middle")).to_be_hidden()
    expect(page.locator("#cond_mediated")).to_be_hidden()
    # a mediated session: its one condition, and the middle seat's choices
    page.locator("#protocol_mediated").check()
    expect(page.locator("#fld-middle")).to_be_visible()
    expect(page.locator("#cond_single")).to_be_hidden()
    expect(page.locator("#cond_mediated")).to_be_checked()
    page.locator("#middle_computer").check()
    expect(page.get_by_label("Rotate the middle seat across rounds")).to_be_disabled()
    # mixed: every condition; a student in the middle is refused at the field
    page.locator("#protocol_mixed").check()
    page.get_by_label("Single offers").check()
    page.get_by_label("Free choice").uncheck()
    page.locator("#cond_single_text").check()
    page.locator("#middle_players").check()
    shot(page, "form-1280")
    page.get_by_role("button", name="Create session").click()
    expect(page.locator("#error-summary")).to_contain_text("Middle seat:")
    expect(page.locator("#err-middle")).to_contain_text("computer in the middle")
    expect(page.locator("#fld-middle")).to_have_attribute("aria-describedby", "err-middle")
    expect(page.locator("#protocol_mixed")).to_be_checked()
    expect(page.locator("#cond_single_text")).to_be_checked()
    page.set_viewport_size(PHONE)
    shot(page, "form-error-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "form-error-1280")
    page.locator("#middle_computer").check()
    page.get_by_role("button", name="Create session").click()
    expect(page.get_by_role("heading", name="Live:")).to_be_visible()
    code = page.locator("#join-code [aria-hidden]").inner_text().strip()
    s = server.api("GET", f"/api/sessions/{code}").json()
    assert (s["protocol"], s["middle"], s["rotate"]) == ("mixed", "computer", False)
    assert sorted(set(s["conditions"])) == ["mediated", "single", "single_text"]
    expect(page.locator(".join-meta")).to_contain_text("Single text")
