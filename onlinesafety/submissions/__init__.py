"""Forms sent once: a one-time token in every form that writes, claimed in the same transaction as the write.

``{% form_token %}`` (a built-in tag: no ``{% load %}``) puts a hidden ``form_token`` in the form: a random key
signed with the time it was made, so it cannot be made up and it ends (``TOKEN_DAYS``). ``@sent_once`` on the view
(inside its rights decorators) then, on a POST:

- refuses a missing, altered or expired token with a page saying nothing was saved (400), before the view runs;
- opens one transaction, and in it claims the token (a row whose key is unique) and runs the view, so the token
  and whatever the view's services write are committed together or not at all;
- keeps the claim with the address the view redirected to (a signing link's token in it kept as ``[token]``, filled
  in again from the second send's own address), or gives it up when the view showed the form again (a mistake to
  put right: the same form can be sent again);
- sends a token already claimed to the address the first send went to, with a message that it was not sent
  again: a double click, a reload of the answer or a form sent from two tabs writes once.

Two sends at the same moment are serialised by the database: the second insert of the same key waits for the
first transaction (PostgreSQL's unique index; SQLite's one writer at a time), then fails, and the second request
shows the first's result. Claimed tokens are forgotten ``TOKEN_DAYS`` after they were made (``forget_old_tokens``,
daily on Celery beat); a token that old is refused anyway, so forgetting it never lets a form be sent twice.
"""
