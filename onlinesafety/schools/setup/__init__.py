"""Setting schools up without the Django admin: creating a school, its terms and half terms, the set-up checklist,
and the pages of trusts and local authorities (the ``setup`` URL namespace)."""
