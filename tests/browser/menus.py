"""Opening the navigation's menus the way a person does, once the page can open them."""

import re

from playwright.sync_api import Page, expect


def open_navigation(page: Page) -> None:
    """On a phone the menus are behind the navigation toggle: open it, and wait until it has
    finished opening (a click on a menu while the navigation still slides open can be lost)."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        expect(page.locator(".navbar-collapse")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
        expect(page.locator(".navbar-collapse.collapsing")).to_have_count(0)


def open_account_menu(page: Page) -> None:
    """Open the account menu. Its toggle is in the page before Bootstrap's script (at the end
    of the body) has run, and a click that comes earlier opens nothing; so wait for the page
    to finish loading first (and, on a phone, for the navigation to open), and for the menu
    to show."""
    page.wait_for_load_state("load")
    open_navigation(page)
    menu = page.get_by_test_id("account-menu")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
