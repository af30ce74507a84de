"""Finding a page through the bar's menus, at any width."""
import re

from playwright.sync_api import expect


def go_to(page, entry):
    """Click the menu entry named ``entry``: unfold the bar if it is folded (phone width), open the menu that holds
    the entry if it is in one, then follow it.

    Each step waits for the previous one to finish (Bootstrap animates the fold), so a slow machine does not click
    into a menu that is still opening."""
    bar = page.get_by_role("navigation", name="Main")
    toggler = bar.get_by_role("button", name="Show menu")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        expect(page.locator("#main-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    link = bar.get_by_role("link", name=entry, exact=True, include_hidden=True)
    # ``has`` is matched inside each menu, so it names the entry from the page, not from the bar.
    entry_anywhere = page.get_by_role("link", name=entry, exact=True, include_hidden=True)
    holding_menu = bar.locator("li.dropdown").filter(has=entry_anywhere)
    if holding_menu.count():
        menu_button = holding_menu.locator("button.dropdown-toggle")
        if menu_button.get_attribute("aria-expanded") != "true":
            menu_button.click()
    expect(link).to_be_visible()
    link.click()
