"""What people read: the words for every stored code, the answers of a
referral as questions and answers, and the promise we make.

Both sides use this module: the journeys (choices, the check page, the
confirmation) and the staff side (the referral page, the queue). Every table
is keyed from the one contact vocabulary (``webapp/rules/contact.py``);
``tests/unit/test_vocabulary.py`` fails, naming the table, when a code has
no words here.
"""

from __future__ import annotations

import functools
from datetime import datetime

from babel.lists import format_list
from flask_babel import format_date, format_datetime, format_time, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField
from wtforms.fields.core import UnboundField

from webapp.rules import contact, due, helplines, wayback

# -- the words for each code -------------------------------------------------

# How residents are asked (public wording).
RESIDENT_METHODS = {
    "call": _l("A phone call"),
    "text": _l("A text message"),
    "site": _l("Write to me on this site (nothing is sent to my phone or home)"),
    "email": _l("An email"),
    "agency": _l("Through a support worker or another service"),
    "in_person": _l("In person, somewhere safe"),
    "none": _l("Do not contact me: I only want information"),
}
REPORTER_METHODS = {
    "none": _l("No: I want to stay anonymous"),
    "call": _l("Yes, by phone"),
    "email": _l("Yes, by email"),
    "site": _l("Yes, write to me on this site (nothing is sent to my phone or home)"),
}
DAYS = {
    "monday": _l("Monday"),
    "tuesday": _l("Tuesday"),
    "wednesday": _l("Wednesday"),
    "thursday": _l("Thursday"),
    "friday": _l("Friday"),
    "saturday": _l("Saturday"),
    "sunday": _l("Sunday"),
}
BANDS = {
    "morning": _l("Morning (8am to 12 noon)"),
    "afternoon": _l("Afternoon (12 noon to 5pm)"),
    "evening": _l("Evening (5pm to 9pm)"),
}
VOICEMAIL = {
    "yes": _l("Yes"),
    "no_name": _l("Yes, but do not say who you are or where you are calling from"),
    "no": _l("No, never leave a message"),
}

# How staff read them.
STAFF_METHODS = {
    "call": _l("Phone call"),
    "text": _l("Text message"),
    "email": _l("Email"),
    "site": _l("Message on this site"),
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
    "written": _l("Wrote to them on this site"),
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
    "stopped": _l("after they asked us to stop contacting them"),
    "pressure": _l("while they may be under pressure (their second passphrase was used)"),
}
# What happened on a way back, as the team reads it (the queue and the page).
ENTRIES = {
    "received": _l("Request received"),
    "attempt": _l("Contact attempt"),
    "team_message": _l("We wrote"),
    "message": _l("New message"),
    "contact_changed": _l("Changed how and when to contact them"),
    "added": _l("Added something"),
    "stop": _l("Asked us to stop contacting them"),
    "resumed": _l("Said we may contact them again"),
    "pressure": _l("May be under pressure: do not write, do not call"),
    "pressure_set": _l("Set a second passphrase"),
    "closed": _l("Referral closed"),
    "reopened": _l("Referral reopened"),
    "way_back_closed": _l("Closed their way back"),
}
# What she reads on her way back of what happened (no staff names, no notes).
TRIED = {
    "call": _l("We called you"),
    "text": _l("We texted you"),
    "site": _l("We wrote to you here"),
    "email": _l("We emailed you"),
    "agency": _l("We contacted your support worker"),
    "in_person": _l("We came to meet you"),
    "letter": _l("We sent you a letter"),
    "trusted": _l("We contacted the person you trust"),
    "none": _l("We tried to contact you"),
}
TRIED_OUTCOMES = {
    "spoke": _l("we spoke"),
    "no_answer": _l("no answer"),
    "not_safe": _l("it was not safe to talk"),
    "wrong_person": _l("someone else answered"),
    "message_left": _l("we left a message"),
    "written": None,  # "We wrote to you here" says it all
}
CLOSED_BECAUSE = {
    "support_agreed": _l("We closed your request: we agreed the support you need."),
    "idva": _l(
        "We closed your request: we asked an independent domestic violence adviser (IDVA) "
        "to support you."
    ),
    "marac": _l(
        "We closed your request: local services are meeting to plan how to keep you safe (MARAC)."
    ),
    "declined": _l("We closed your request: you told us you do not want support now."),
    "unreachable": _l("We closed your request: we could not reach you safely."),
}
RECEIVED = _l("We received your request")
CLOSED = _l("We closed your request")
RESIDENT_EVENTS = {
    "contact_changed": _l("You changed how and when we contact you"),
    "stop": _l("You asked us to stop contacting you"),
    "resumed": _l("You said we may contact you again"),
    "reopened": _l("We opened your request again"),
}


def tried_text(method: str, outcome: str) -> str:
    """“We called you: no answer”."""
    tried = TRIED.get(method, TRIED["none"])
    what = TRIED_OUTCOMES.get(outcome)
    return _("%(how)s: %(what)s", how=tried, what=what) if what else str(tried)


KINDS = {"self": _l("Self-referral"), "concern": _l("Concern")}
STATUSES = {"open": _l("Open"), "closed": _l("Closed")}

# Each table and the codes of the vocabulary it must cover.
COVERAGE = {
    "RESIDENT_METHODS": (RESIDENT_METHODS, contact.codes(contact.RESIDENT_METHODS)),
    "REPORTER_METHODS": (REPORTER_METHODS, contact.codes(contact.REPORTER_METHODS)),
    "STAFF_METHODS": (STAFF_METHODS, frozenset(contact.METHODS)),
    "DAYS": (DAYS, frozenset(contact.DAYS)),
    "BANDS": (BANDS, frozenset(contact.BANDS)),
    "VOICEMAIL": (VOICEMAIL, frozenset(contact.VOICEMAIL)),
    "OUTCOMES": (OUTCOMES, frozenset(contact.ATTEMPT_OUTCOMES)),
    "CLOSE_OUTCOMES": (CLOSE_OUTCOMES, frozenset(contact.CLOSE_OUTCOMES)),
    "FLAGS": (FLAGS, frozenset(contact.FLAGS)),
    "RULES": (RULES, frozenset(contact.OVERRIDABLE)),
    "ENTRIES": (ENTRIES, frozenset(wayback.ENTRY_KINDS)),
    "TRIED": (TRIED, frozenset(contact.METHODS)),
    "TRIED_OUTCOMES": (TRIED_OUTCOMES, frozenset(contact.ATTEMPT_OUTCOMES)),
    "CLOSED_BECAUSE": (CLOSED_BECAUSE, frozenset(contact.CLOSE_OUTCOMES)),
    "KINDS": (KINDS, frozenset(contact.KINDS)),
    "STATUSES": (STATUSES, frozenset(contact.STATUSES)),
}


def choices(table: dict, methods) -> list[tuple[str, object]]:
    """``(code, label)`` for each of ``methods`` (or codes), in their order."""
    return [(getattr(m, "code", m), table[getattr(m, "code", m)]) for m in methods]


def staff_labels() -> dict:
    """Every staff table, translated once for the request (a queue page uses
    each label a hundred times)."""
    tables = {
        "methods": STAFF_METHODS,
        "outcomes": OUTCOMES,
        "close_outcomes": CLOSE_OUTCOMES,
        "flags": FLAGS,
        "rules": RULES,
        "entries": ENTRIES,
        "kinds": KINDS,
        "statuses": STATUSES,
    }
    return {
        name: {code: str(label) for code, label in table.items()} for name, table in tables.items()
    }


# -- answers as questions and answers -----------------------------------------

CHOSEN_PASSPHRASE = _l("Chosen (it is never shown)")

Question = tuple[object, dict, bool]  # label, {value: label}, a yes/no box


@functools.cache
def form_questions(form_class) -> dict[str, Question]:
    """The questions of one question page, in order, read from its
    definition (no form is built); not the honeypot or the CSRF token."""
    fields = sorted(
        (
            (name, value)
            for klass in reversed(form_class.__mro__)
            for name, value in vars(klass).items()
            if isinstance(value, UnboundField)
        ),
        key=lambda item: item[1].creation_counter,
    )
    found: dict[str, Question] = {}
    for name, unbound in fields:
        if name in ("website", "csrf_token"):
            continue
        label = unbound.kwargs.get("label", unbound.args[0] if unbound.args else name)
        if issubclass(unbound.field_class, PasswordField):
            # A passphrase is never shown, nor kept: only that one was chosen.
            if not name.endswith("_again"):
                found[name] = (label, {"chosen": CHOSEN_PASSPHRASE}, False)
            continue
        options = {
            getattr(choice, "value", None) or choice[0]: getattr(choice, "label", None) or choice[1]
            for choice in unbound.kwargs.get("choices") or ()
        }
        found[name] = (label, options, issubclass(unbound.field_class, BooleanField))
    return found


def questions(journey) -> dict[str, Question]:
    """Every question of a journey, in order."""
    found: dict[str, Question] = {}
    for step in journey.steps:
        found |= form_questions(step.form)
    return found


def answer_text(value, options: dict, yes_no: bool) -> str:
    if yes_no:
        return _("Yes") if value else _("No")
    if value in (None, "", []):
        return _("Not given")
    if isinstance(value, list):
        return format_list([str(options.get(item, item)) for item in value], locale=get_locale())
    return str(options.get(value, value))


def readable(journey, values: dict) -> list[dict]:
    """Each of ``values`` with its question, and its answer as a person reads it,
    in the journey's order."""
    return [
        {"question": label, "answer": answer_text(values[name], options, yes_no)}
        for name, (label, options, yes_no) in questions(journey).items()
        if name in values
    ]


def summary(journey, answers: dict, change_url) -> list[dict]:
    """The check page: a group for each page that applies, a row for each
    question on it (every question, answered or not) and where to change it."""
    groups = []
    for step in journey.applicable(answers):
        rows = [
            {
                "question": label,
                "answer": answer_text(answers.get(name), options, yes_no),
                "change": change_url(step.slug),
            }
            for name, (label, options, yes_no) in form_questions(step.form).items()
        ]
        if rows:
            groups.append({"title": step.title if len(rows) > 1 else None, "rows": rows})
    return groups


# -- the promise ---------------------------------------------------------------


def promise_lead(promise: due.Promise) -> str:
    """The home page's promise, true to the landlord's setting."""
    if promise.rule == due.SAME_WORKING_DAY:
        return _(
            "Tell us how and when it is safe to contact you. We will get in touch the "
            "same working day, or by the end of the next working day if you write late "
            "in the day or when we are closed."
        )
    return ngettext(
        "Tell us how and when it is safe to contact you. We will get in touch within %(num)d hour.",
        "Tell us how and when it is safe to contact you. We will get in touch "
        "within %(num)d hours.",
        promise.hours,
    )


def promise_step(promise: due.Promise) -> str:
    """The start page's promise, true to the landlord's setting."""
    if promise.rule == due.SAME_WORKING_DAY:
        return _(
            "We will get in touch the same working day, or by the end of the next "
            "working day if you write late in the day or when we are closed, at a time "
            "you tell us is safe."
        )
    return ngettext(
        "We will get in touch within %(num)d hour, at a time you tell us is safe.",
        "We will get in touch within %(num)d hours, at a time you tell us is safe.",
        promise.hours,
    )


def day_name(moment: datetime) -> str:
    """ "Tuesday 24 November" in English (British order); elsewhere the
    locale's own full date ("martes, 24 de noviembre de 2026"), in UK time."""
    if get_locale().language == "en":
        return format_datetime(moment, "EEEE d MMMM")
    return format_date(moment, "full")


# What the confirmation promises, by method: inside a safe window we name...
IN_WINDOW = {
    "call": _l(
        "We will call you on %(day)s between %(start)s and %(end)s, a time you told us is safe."
    ),
    "text": _l(
        "We will text you on %(day)s between %(start)s and %(end)s, a time you told us is safe."
    ),
    "in_person": _l(
        "We will contact you on %(day)s between %(start)s and %(end)s, a time you "
        "told us is safe, to arrange to meet."
    ),
}
# ...else by a day and time.
BY_TIME = {
    "call": _l("We will call you by %(when)s."),
    "text": _l("We will text you by %(when)s."),
    "email": _l("We will email you by %(when)s."),
    "site": _l(
        "We will write to you here by %(when)s. Come back to this site with your "
        "reference and passphrase to read it."
    ),
    "agency": _l("We will contact your support worker by %(when)s."),
    "in_person": _l("We will contact you by %(when)s to arrange to meet."),
    "none": _l(
        "You asked us not to contact you, so we will not. Our team will read your "
        "request by %(when)s, in case there is something we can do without contacting "
        "you."
    ),
}
CONCERN_BY_TIME = {
    "none": _l(
        "Our team will act on your concern by %(when)s. As you chose to stay "
        "anonymous, we cannot tell you what happens next."
    ),
    "call": _l(
        "Our team will act on your concern by %(when)s, and will contact you only if "
        "we need to know more."
    ),
    "email": _l(
        "Our team will act on your concern by %(when)s, and will contact you only if "
        "we need to know more."
    ),
    "site": _l(
        "Our team will act on your concern by %(when)s. If we need to know more, we "
        "will write to you here: come back with your reference and passphrase."
    ),
}
COVERAGE |= {
    "IN_WINDOW": (IN_WINDOW, contact.codes(m for m in contact.RESIDENT_METHODS if m.safe_times)),
    "BY_TIME": (BY_TIME, contact.codes(contact.RESIDENT_METHODS)),
    "CONCERN_BY_TIME": (CONCERN_BY_TIME, contact.codes(contact.REPORTER_METHODS)),
}


def promise_sentence(kind: str, method: str, due_at: datetime, window_end: datetime | None) -> str:
    """What happens next, in one sentence: who, how, and by when."""
    if window_end and kind == "self" and method in IN_WINDOW:
        return str(IN_WINDOW[method]) % {
            "day": day_name(due_at),
            "start": format_time(due_at, "HH:mm"),
            "end": format_time(window_end, "HH:mm"),
        }
    when = _("%(day)s at %(time)s", day=day_name(due_at), time=format_time(due_at, "HH:mm"))
    table = BY_TIME if kind == "self" else CONCERN_BY_TIME
    return str(table[method]) % {"when": when}


# -- the helplines ------------------------------------------------------------

# A nation's name labels its helpline where a site shows two.
NATION_NAMES = {
    "england": _l("England"),
    "wales": _l("Wales"),
    "scotland": _l("Scotland"),
    "northern-ireland": _l("Northern Ireland"),
}
COVERAGE["NATION_NAMES"] = (NATION_NAMES, frozenset(helplines.NATIONS))


def helplines_shown(shown: tuple[helplines.Helpline, ...], language: str) -> list[dict]:
    """Each helpline as a page shows it: its name in ``language``, its number,
    and its nation's name when there are two (else None)."""
    label = helplines.labelled(shown)
    return [
        {
            "name": line.name_in(language),
            "phone": line.phone,
            "nation": str(NATION_NAMES[line.nation]) if label and line.nation else None,
        }
        for line in shown
    ]


def missing_words() -> list[str]:
    """Each table that lacks words for a code of the vocabulary, and which."""
    return [
        f"{name} has no words for {sorted(codes - set(table))}"
        for name, (table, codes) in sorted(COVERAGE.items())
        if codes - set(table)
    ]


# A code with no words would show its raw code to a resident, or fail halfway
# through a journey: refuse to start instead, and say what to add.
if missing_words():
    raise LookupError("webapp/presentation.py: " + "; ".join(missing_words()))
