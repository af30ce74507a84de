"""The aup pages, one module per boundary so each can be reviewed alone:

- ``links``: the pages reached by an emailed signing link, with no sign-in (everything about the token);
- ``answers``: the answer page shared by a link and a signed-in parent, and the PDF copy;
- ``family``: a signed-in parent's pages;
- ``agreements``: the agreements, drafts, publishing and versions;
- ``members``: a member's own agreements, the visitor kiosk and log, the social media account holders;
- ``campaigns``, ``coverage`` and ``registers``.
"""
