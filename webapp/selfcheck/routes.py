"""The check page and its answer, at one address per check.

The statements are sent by POST and the answer is shown in reply, at the same
address and under the same title as the check page, so the browser's history
list and address bar keep nothing of what was ticked. With JavaScript,
``static/js/site.js`` sends the form with fetch and swaps the page in place:
no history entry at all. Without it, the answer is an ordinary POST reply.

No cookie, nothing stored, nothing logged: the ticked codes go into the
answer and nowhere else. So the form cannot carry Flask-WTF's token, which
lives in the session cookie. It carries one of its own instead: a timestamp
signed with a key derived from ``SECRET_KEY``, refused once it is older than
the site's CSRF time limit. It shows the form came from this site not long
ago; cross-site posts are refused before any view (``webapp/security.py``).
The post changes nothing on the server, and its answer goes only to whoever
sent it. A token that is stale or missing shows the check again, with the
ticks kept, instead of an error page.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from itsdangerous import BadData, TimestampSigner

from webapp.i18n import DEFAULT, current_language, localised_route
from webapp.rules import selfcheck
from webapp.selfcheck import words

bp = Blueprint("selfcheck", __name__, template_folder="templates")

TOKEN_FIELD = "csrf_token"  # noqa: S105  (a field name, not a secret)
TOKEN_PAYLOAD = b"selfcheck"
DEFAULT_TIME_LIMIT = 3600  # Flask-WTF's own default, as the journeys' forms


def signer() -> TimestampSigner:
    return TimestampSigner(current_app.extensions["selfcheck_form_key"], salt="selfcheck")


def form_token() -> str:
    return signer().sign(TOKEN_PAYLOAD).decode()


def token_is_good(value: str | None) -> bool:
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT", DEFAULT_TIME_LIMIT)
    try:
        return signer().unsign(value or "", max_age=limit) == TOKEN_PAYLOAD
    except BadData:
        return False


def localised_path(path: str) -> str:
    """A public address in the page's language (``/cy/help-near-you``), built
    from its path: for pages whose view this part does not know."""
    lang = current_language()
    return path if lang == DEFAULT else f"/{lang}{path}"


@localised_route(bp, "/is-this-abuse", methods=["GET", "POST"], endpoint="yourself")
def yourself():
    return check_page(selfcheck.SELF)


@localised_route(bp, "/is-this-abuse/someone-else", methods=["GET", "POST"], endpoint="someone")
def someone():
    return check_page(selfcheck.SOMEONE)


def check_page(check: selfcheck.Check):
    stale = False
    if request.method == "POST":
        answer = selfcheck.answer(check, request.form.getlist("ticked"))
        if token_is_good(request.form.get(TOKEN_FIELD)):
            return render_template(
                f"selfcheck/answer_{check.slug}.html",
                check=check,
                answer=answer,
                words=words,
                help_near_you=localised_path("/help-near-you"),
            )
        stale = True
        ticked = set(answer.ticked)
    else:
        ticked = set()
    return render_template(
        f"selfcheck/check_{check.slug}.html",
        check=check,
        ticked=ticked,
        stale=stale,
        token=form_token(),
        words=words,
    )
