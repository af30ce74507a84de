"""Every write to agreements, signatures, campaigns and the registers: one transaction and an audit event each.

One module per part: ``agreements`` (drafts and versions), ``signing`` (members, the kiosk, the account
holders), ``campaigns`` (campaigns, resending and the daily reminders), ``links`` (signing-link tokens),
``answers`` (a family's answer for a child) and ``registers``. A service an actor performs checks the actor's
right again (``require``); a change the record's state does not allow raises ``RuleBroken`` before anything is
written. Other apps and the tests use the names below; inside aup, import from the modules.
"""

from .agreements import publish, save_draft, set_up_default_agreements
from .answers import AgreementChanged, AlreadyAnswered, answer_for_child
from .campaigns import remind_families, resend_to_outstanding, start_campaign
from .links import signing_url
from .registers import add_restriction, lift_restriction
from .signing import add_account_holder, remove_account_holder, sign_at_kiosk, sign_personal

__all__ = [
    "AgreementChanged", "AlreadyAnswered", "add_account_holder", "add_restriction", "answer_for_child",
    "lift_restriction", "publish", "remind_families", "remove_account_holder", "resend_to_outstanding",
    "save_draft", "set_up_default_agreements", "sign_at_kiosk", "sign_personal", "signing_url", "start_campaign",
]
