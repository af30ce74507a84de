"""Defaults every school starts with: incident categories and the response tables.

The tables follow the seed policies' learner and staff response tables row by row (``SEED_TABLES``); each school
edits its own versioned copy at /incidents/response-tables/.
"""

from .models import NO_UPLOAD_CATEGORIES, Behaviour, CategoryCode, Expectation, Response as R

CATEGORY_ORDER = list(CategoryCode)


def category_defaults():
    for position, code in enumerate(CATEGORY_ORDER):
        yield {"code": code.value, "name": code.label, "position": position,
               "accepts_uploads": code not in NO_UPLOAD_CATEGORIES}


# ---------------------------------------------------------------- the response tables (behaviour x response)
#
# The four response tables of the seed policies, one entry a row, in the product's words: which behaviour(s) the
# row stands for and its cells, one character a column: "y" the seed's tick, "p" its "possibly" (poss, depends,
# dep, ?), "." blank. A row naming several behaviours (004's account row) counts for each.

B = Behaviour

SEED_COLUMNS = {
    "001 pupils": (R.REFER_CLASS_TEACHER, R.REFER_OSL, R.REFER_HEADTEACHER, R.REFER_POLICE, R.REFER_TECHNICAL,
                   R.INFORM_PARENTS, R.REMOVE_ACCESS, R.WARNING, R.FURTHER_SANCTION),
    "001 staff": (R.REFER_LINE_MANAGER, R.REFER_HEADTEACHER, R.REFER_LA_HR, R.REFER_POLICE, R.REFER_TECHNICAL,
                  R.STAFF_WARNING, R.SUSPENSION, R.DISCIPLINARY),
    # 004's "police / social work" column is both police and social care.
    "004 pupils": (R.REFER_CLASS_TEACHER, R.REFER_HEADTEACHER, R.REFER_DSL, (R.REFER_POLICE, R.REFER_SOCIAL_CARE),
                   R.REFER_TECHNICAL, R.INFORM_PARENTS, R.REMOVE_ACCESS, R.WARNING, R.FURTHER_SANCTION),
    "004 staff": (R.REFER_HEADTEACHER, R.REFER_LA_HR, R.REFER_POLICE, R.REFER_TECHNICAL, R.STAFF_WARNING,
                  R.SUSPENSION, R.DISCIPLINARY),
}

SEED_TABLES: dict[str, list[tuple[tuple[Behaviour, ...], str]]] = {
    "001 pupils": [
        ((B.P_ILLEGAL,), ".yyy....."),
        ((B.P_NON_EDUCATIONAL,), "y......yy"),
        ((B.P_DEVICES,), "y....y.yy"),
        ((B.P_SOCIAL_MEDIA,), "yy...y.yy"),
        ((B.P_FILES,), "yy......y"),
        ((B.P_SHARING_PASSWORD,), ".......y."),
        ((B.P_PUPIL_ACCOUNT,), ".......y."),
        ((B.P_STAFF_ACCOUNT,), "yy......y"),
        ((B.P_CORRUPT_DATA,), "y.......y"),
        ((B.P_OFFENSIVE_MESSAGE,), "yyy..yy.y"),
        ((B.P_CONTINUED,), ".yy..y..."),
        ((B.P_DISREPUTE,), "yyy..y..y"),
        ((B.P_PROXY,), "yyy..y..y"),
        ((B.P_ACCIDENT_NOT_REPORTED,), "yy..y..y."),
        ((B.P_OFFENSIVE_CONTENT,), "yyy..yy.y"),
        ((B.P_COPYRIGHT_DATA,), "yyy......"),
    ],
    "001 staff": [
        ((B.S_ILLEGAL,), ".yyy...."),
        ((B.S_PERSONAL_USE,), "yy...y.y"),
        ((B.S_FILES,), "y....y.."),
        ((B.S_ACCOUNTS,), "y....y.."),
        ((B.S_CARELESS_DATA,), "y....y.."),
        ((B.S_BREACH_SECURITY,), "yy...y.."),
        ((B.S_CORRUPT_DATA,), "yy.....y"),
        ((B.S_OFFENSIVE_MESSAGE,), "yyy....y"),
        ((B.S_PERSONAL_CHANNELS,), "yyy...yy"),
        ((B.S_PROFESSIONAL_STANDING,), "yy.....y"),
        ((B.S_DISREPUTE,), "yy.....y"),
        ((B.S_PROXY,), "yy...y.."),
        ((B.S_ACCIDENT_NOT_REPORTED,), "yy...y.."),
        ((B.S_OFFENSIVE_CONTENT,), "yyy...yy"),
        ((B.S_COPYRIGHT,), "yy.....y"),
        ((B.S_CONTINUED,), ".yy...yy"),
    ],
    "004 pupils": [
        ((B.P_ILLEGAL,), "yyyyyyyyy"),
        ((B.P_PUPIL_ACCOUNT, B.P_STAFF_ACCOUNT, B.P_SHARING_PASSWORD), "y..ppppp."),
        ((B.P_CORRUPT_DATA,), "y........"),
        ((B.P_OFFENSIVE_MESSAGE,), "yyy..yy.."),
        ((B.P_FILES,), "y...y.yy."),
        ((B.P_PROXY,), "y...ypy.."),
        ((B.P_ACCIDENT_NOT_REPORTED,), "y.y.yy..."),
        ((B.P_OFFENSIVE_CONTENT,), "ypypyyyyy"),
        ((B.P_COPYRIGHT_DATA,), "yy..yyyyy"),
        ((B.P_DEVICES,), "y.y.yypyp"),
        ((B.P_ONLINE_SERVICES,), "y.y.yy..."),
        ((B.P_DISREPUTE,), "yy..yy.pp"),
        ((B.P_CONTINUED,), "yy..yyyyy"),
    ],
    "004 staff": [
        ((B.S_ILLEGAL,), "yyyyyyy"),
        ((B.S_BREACH_SECURITY,), "yy.yypy"),
        ((B.S_OFFENSIVE_CONTENT,), "yy.yyyy"),
        ((B.S_CORRUPT_DATA,), "yypyppp"),
        ((B.S_PROXY,), "yy.yp.p"),
        ((B.S_FILES,), "y..yp.p"),
        ((B.S_COPYRIGHT,), "yy.yp.p"),
        ((B.S_ACCOUNTS,), "y...y.p"),
        ((B.S_OFFENSIVE_MESSAGE,), "yy.yypp"),
        ((B.S_PERSONAL_CHANNELS,), "yp....."),
        ((B.S_PERSONAL_USE,), "y...p.."),
        ((B.S_CARELESS_DATA,), "y...y.."),
        ((B.S_PROFESSIONAL_STANDING,), "y...p.."),
        ((B.S_DISREPUTE,), "yp..p.."),
        ((B.S_FAILING_TO_REPORT,), "yp..p.."),
        ((B.S_CONTINUED,), "yy..y.p"),
    ],
}


def _seed_marks() -> dict[tuple[str, str], list[str]]:
    """Every seed's mark for each (behaviour, response) its tables have a column for: "y", "p" or "."."""
    marks: dict[tuple[str, str], list[str]] = {}
    for table, rows in SEED_TABLES.items():
        for behaviours, cells in rows:
            assert len(cells) == len(SEED_COLUMNS[table]), table
            for column, mark in zip(SEED_COLUMNS[table], cells, strict=True):
                for response in column if isinstance(column, tuple) else (column,):
                    for behaviour in behaviours:
                        marks.setdefault((behaviour.value, response.value), []).append(mark)
    return marks


def default_cells() -> dict[tuple[str, str], Expectation]:
    """The tables a school starts with, merged from the seeds: required where every seed row with that column ticks
    it; suggested ("possibly") where a seed says possibly, or where the seeds disagree; blank where none marks it."""
    cells: dict[tuple[str, str], Expectation] = {}
    for key, marks in _seed_marks().items():
        if all(mark == "y" for mark in marks):
            cells[key] = Expectation.REQUIRED
        elif any(mark != "." for mark in marks):
            cells[key] = Expectation.POSSIBLY
    return cells
