"""What the staff pages call each stored code ("danger_now", "no_answer", "cy")."""

from flask_babel import lazy_gettext as _l

METHODS = {
    "call": _l("Phone call"),
    "text": _l("Text message"),
    "email": _l("Email"),
    "agency": _l("Through their support worker"),
    "in_person": _l("In person"),
    "letter": _l("Letter"),
    "trusted": _l("Their trusted person"),
    "none": _l("No contact"),
}
OUTCOMES = {
    "spoke": _l("Spoke to them"),
    "no_answer": _l("No answer"),
    "not_safe": _l("Not safe to talk"),
    "wrong_person": _l("Wrong person answered"),
    "message_left": _l("Message left (where safe)"),
}
CLOSE_OUTCOMES = {
    "support_agreed": _l("Support agreed"),
    "idva": _l("Referred to an IDVA"),
    "marac": _l("Referred to MARAC"),
    "declined": _l("Declined support"),
    "unreachable": _l("Could not be reached"),
}
FLAGS = {
    "danger_now": _l("In danger now"),
    "no_safe_window": _l("No safe time inside the promise"),
    "no_contact": _l("Asked not to be contacted"),
    "anonymous": _l("Anonymous"),
}
RULES = {
    "channel": _l("a way of contacting them they did not choose"),
    "time": _l("outside the times they said are safe"),
    "message": _l("a message where they said never to leave one"),
}
KINDS = {"self": _l("Self-referral"), "concern": _l("Concern")}
STATUSES = {"open": _l("Open"), "closed": _l("Closed")}


def labels() -> dict:
    """Every table, translated once for the request (a queue page uses each
    label a hundred times)."""
    tables = {
        "methods": METHODS,
        "outcomes": OUTCOMES,
        "close_outcomes": CLOSE_OUTCOMES,
        "flags": FLAGS,
        "rules": RULES,
        "kinds": KINDS,
        "statuses": STATUSES,
    }
    return {
        name: {code: str(label) for code, label in table.items()} for name, table in tables.items()
    }
