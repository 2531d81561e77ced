"""The consumer's pages in Chromium, as a person uses them: every option that some configuration has can be
clicked, the page says what else changed and can undo it; numbers reach the server; the pages read in
words; a shared link opens without an account; on a phone the price and date stay in view."""

import re

import pytest
from playwright.sync_api import expect

from lifecycle.demo import DEMO_PASSWORD
from orders.models import Order, ProductFamily, SavedConfiguration
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_the_french_door_fridge_can_be_chosen_and_the_change_undone(page, live_server, consumer):
    log_in(page, live_server, "consumer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/shop/configure/FRIDGE/")
    french = page.locator("label[data-option=FR_SIZE_FRENCH]")
    expect(french.locator("input")).to_be_enabled()
    expect(french).to_contain_text("Changes Door hinge: Hinged right → French doors")

    french.locator("input").check()
    said = page.locator("#what-changed")
    expect(said).to_contain_text("You chose French door")
    expect(said).to_contain_text("Door hinge: Hinged right → French doors")
    expect(page.locator("input[value=FR_DOOR_FRENCH]")).to_be_checked()
    expect(page.get_by_role("button", name="Place order")).to_be_enabled()

    page.get_by_role("button", name="Undo").click()
    expect(page.locator("input[value=FR_SIZE_185]")).to_be_checked()
    expect(page.locator("input[value=FR_DOOR_RIGHT]")).to_be_checked()
    expect(page.locator("#what-changed")).to_have_count(0)


def test_the_ice_dispenser_changes_the_defaults_and_the_order_goes_through(page, live_server, consumer):
    log_in(page, live_server, "consumer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/shop/configure/FRIDGE/")
    page.locator("input[value=FR_DISP_ICE]").check()
    expect(page.locator("#what-changed")).to_contain_text("Size: 185 cm, 300 l → French door")
    expect(page.locator("input[value=FR_SIZE_FRENCH]")).to_be_checked()
    expect(page.locator("#promised")).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    page.fill("#id_delivery_address", "Room 301, 1 Haier Road, Qingdao")
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("h1")).to_contain_text("Order CO-")
    assert Order.objects.get(customer=consumer).lines.get().configuration["DISPENSER"] == "FR_DISP_ICE"


def test_the_consumers_own_choice_gives_way_only_when_it_must(page, live_server, consumer):
    log_in(page, live_server, "consumer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/shop/configure/AC-SPLIT/")
    # Wi-Fi needs the smart panel: the default remote gives way
    page.locator("input[value=CONN_WIFI]").check()
    expect(page.locator("#what-changed")).to_contain_text("Control: Infrared remote control → Smart touch panel")
    # the consumer then picks the remote again: Wi-Fi (their older choice) goes
    page.locator("input[value=CTRL_REMOTE]").check()
    expect(page.locator("#what-changed")).to_contain_text("Connectivity: remove Wi-Fi module")
    expect(page.locator("input[value=CONN_WIFI]")).not_to_be_checked()
    expect(page.locator("input[value=CTRL_REMOTE]")).to_be_checked()


def test_a_conflict_is_said_once_beside_its_groups_and_fixed_in_one_click(page, live_server, consumer):
    log_in(page, live_server, "consumer", DEMO_PASSWORD)
    # a link with R290 and a 12 m pipe (as an old shared link would give)
    page.goto(f"{live_server.url}/shop/configure/AC-SPLIT/")
    page.locator("input[value=REF_R290]").check()
    expect(page.locator("#what-changed")).to_contain_text("You chose R290")
    page.fill("#id_PIPE_LENGTH", "40")
    page.locator("#id_PIPE_LENGTH").press("Tab")
    # out of range: the server answers with the range and a fix (no browser min/max stops it)
    expect(page.locator("fieldset[data-group=PIPE_LENGTH] .error")).to_contain_text("between 3 and 25 m")
    expect(page.locator(".fix")).to_contain_text("Pipe and cable length: 40 m →")
    expect(page.locator("#id_PIPE_LENGTH")).to_have_value("40")
    page.get_by_role("button", name="Apply this fix").click()
    expect(page.locator("fieldset[data-group=PIPE_LENGTH] .error")).to_have_count(0)
    expect(page.locator("#id_PIPE_LENGTH")).to_have_value("10")
    # within the field's range but beyond R290's: the refrigerant gives way, said in one line
    page.fill("#id_PIPE_LENGTH", "12")
    page.locator("#id_PIPE_LENGTH").press("Tab")
    expect(page.locator("#what-changed")).to_contain_text("Refrigerant: R290 natural refrigerant → R32")
    expect(page.locator("#id_PIPE_LENGTH")).to_have_value("12")
    range_text = page.locator("fieldset[data-group=PIPE_LENGTH] .range").inner_text()
    assert "3–25" in range_text
    assert page.locator("#id_PIPE_LENGTH").get_attribute("max") == "25"
    # at most one red line per broken rule, never one per option
    expect(page.locator(".conflict")).to_have_count(0)
    expect(page.locator(".why")).to_have_count(0)


def test_a_stale_link_shows_one_message_per_conflict_and_nothing_is_disabled(page, live_server, consumer):
    family = ProductFamily.objects.get(code="AC-SPLIT")
    selection = {"CAPACITY": "COMP_2_6KW", "INDOOR_UNIT": "IDU_STANDARD", "PANEL": "PANEL_WHITE", "CONTROL": "CTRL_REMOTE",
                 "FILTER": "FILTER_STD", "ENERGY_CLASS": "ENERGY_A2P", "REFRIGERANT": "REF_R290", "PIPE_LENGTH": "12",
                 "INSTALLATION": "INSTALL_STANDARD"}
    SavedConfiguration.objects.create(code="STALE123", family=family, selection=selection)
    log_in(page, live_server, "consumer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/shop/configure/AC-SPLIT/?c=STALE123")
    conflict = page.locator(".conflict")
    expect(conflict).to_have_count(1)
    expect(page.locator("fieldset[data-group=REFRIGERANT] .conflict, fieldset[data-group=PIPE_LENGTH] .conflict")).to_have_count(1)
    expect(page.locator("input[type=radio]:disabled, input[type=checkbox]:disabled")).to_have_count(0)
    expect(page.locator(".fix")).to_be_visible()
    page.get_by_role("button", name="Apply this fix").click()
    expect(page.locator(".conflict")).to_have_count(0)
    expect(page.get_by_role("button", name="Place order")).to_be_enabled()


def test_the_quantity_limit_and_the_missing_date_are_explained(page, live_server, consumer):
    log_in(page, live_server, "consumer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/shop/configure/AC-SPLIT/")
    page.fill("#id_quantity", "5000")
    page.locator("#id_quantity").press("Tab")
    expect(page.locator(".no-date")).to_contain_text("We cannot promise a delivery date for 5,000 units")
    expect(page.locator("#promised")).to_have_text("no date yet")
    page.fill("#id_quantity", "99999999999999999999")
    page.locator("#id_quantity").press("Tab")
    expect(page.locator(".no-date")).to_contain_text("The most we take in one order is 10000 units")
    page.fill("#id_delivery_address", "x")
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("ul.errors")).to_contain_text("The most we take in one order")
    expect(page.locator("body")).not_to_contain_text("job -1")
    assert not Order.objects.exists()


def test_a_shared_link_opens_read_only_for_a_friend_without_an_account(browser, page, live_server, consumer):
    log_in(page, live_server, "consumer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/shop/configure/AC-SPLIT/")
    page.locator("input[value=PANEL_BLACK]").check()
    expect(page.locator("#what-changed")).to_contain_text("You chose Graphite black")
    page.get_by_role("button", name="Save and share").click()
    link = page.locator(".share-link").get_attribute("href")

    friend = browser.new_context().new_page()
    friend.goto(link)
    expect(friend.locator("h1")).to_have_text("Split air conditioner")
    expect(friend.locator("dl.options")).to_contain_text("Graphite black")
    expect(friend.locator("body")).not_to_contain_text("PANEL_BLACK")
    expect(friend.locator("input")).to_have_count(0)  # read-only
    friend.get_by_role("link", name="Log in to order it").click()
    friend.fill("#id_username", "consumer")
    friend.fill("#id_password", DEMO_PASSWORD)
    friend.click("button[type=submit]")
    expect(friend.locator("input[value=PANEL_BLACK]")).to_be_checked()
    friend.context.close()


def test_the_order_page_reads_in_words(page, live_server, consumer):
    log_in(page, live_server, "consumer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/shop/configure/AC-SPLIT/")
    page.fill("#id_delivery_address", "Room 301, 1 Haier Road, Qingdao")
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("h1")).to_contain_text("Order CO-")
    expect(page.locator("dl.options")).to_contain_text("Cooling capacity")
    expect(page.locator("dl.options")).to_contain_text("2.6 kW inverter compressor")
    expect(page.locator("ol.stages li")).to_have_count(7)
    expect(page.locator("ol.stages li[aria-current=step]")).to_have_text("Accepted")
    expect(page.locator("ol.timeline li").first).to_contain_text("Order placed")


def test_on_a_phone_price_and_date_stay_in_view_and_nothing_scrolls_sideways(browser, live_server, consumer):
    page = browser.new_context(viewport=PHONE).new_page()
    log_in(page, live_server, "consumer", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/shop/configure/AC-SPLIT/")
    bar = page.locator(".buy-bar")
    # tap an option far down the page: the price changes in view
    before = bar.locator("[data-bar-price]").inner_text()
    page.locator("input[value=INSTALL_EXPRESS]").scroll_into_view_if_needed()
    page.locator("input[value=INSTALL_EXPRESS]").check()
    expect(bar.locator("[data-bar-price]")).not_to_have_text(before)
    expect(bar).to_be_in_viewport()
    expect(bar.locator("[data-bar-date]")).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    for path in ("/shop/", "/shop/configure/AC-SPLIT/", "/shop/configure/FRIDGE/", "/shop/orders/"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    page.context.close()
