"""Finding a page through the bar's menus, at any width."""


def go_to(page, entry):
    """Click the menu entry named ``entry``: unfold the bar if it is folded (phone width), open the menu that holds
    the entry if it is in one, then follow it."""
    bar = page.get_by_role("navigation", name="Main")
    toggler = bar.get_by_role("button", name="Show menu")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
    link = bar.get_by_role("link", name=entry, exact=True)
    if not link.is_visible():
        folded_entry = page.get_by_role("link", name=entry, exact=True, include_hidden=True)
        bar.locator("li.dropdown").filter(has=folded_entry).locator("button.dropdown-toggle").click()
    link.click()
