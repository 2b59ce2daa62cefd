"""Opening the navigation's menus the way a person does, once the page can open them."""

from playwright.sync_api import Page, expect


def open_account_menu(page: Page) -> None:
    """Open the account menu. Its toggle is in the page before Bootstrap's script (at the end
    of the body) has run, and a click that comes earlier opens nothing; so wait for the page
    to finish loading first, and for the menu to show."""
    page.wait_for_load_state("load")
    menu = page.get_by_test_id("account-menu")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
