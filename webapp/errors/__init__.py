"""Friendly error pages, in the visitor's language, with the quick exit and 999.

Every HTTP error (unknown page, wrong method, request too large, bad CSRF
token) and every unexpected failure renders one template with the right
status. No stack trace ever reaches the visitor.
"""

from __future__ import annotations

import logging
import traceback

from flask import Blueprint, Flask, current_app, render_template
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

bp = Blueprint("errors", __name__, template_folder="templates")
log = logging.getLogger(__name__)

# (heading, explanation) by status; anything else falls back to 400 or 500.
MESSAGES = {
    400: (
        _l("Something went wrong with that request"),
        _l("Please go back and try again. Nothing you typed has been sent."),
    ),
    403: (_l("You cannot see this page"), _l("This page is not open to the public.")),
    404: (_l("Page not found"), _l("The page may have moved, or the address may be mistyped.")),
    405: (
        _l("That did not work"),
        _l("This page cannot be used that way. Please go back and try again."),
    ),
    413: (
        _l("That was too much to send at once"),
        _l("Please make what you typed shorter and try again."),
    ),
    429: (
        _l("Please wait a moment"),
        _l(
            "There have been too many tries from this connection. "
            "Please wait a few minutes and try again."
        ),
    ),
    500: (_l("Sorry, something went wrong on our side"), _l("Please try again in a few minutes.")),
    503: (
        _l("Sorry, this service is not working right now"),
        _l("Please try again in a few minutes."),
    ),
}


def render_error(status: int):
    key = status if status in MESSAGES else (500 if status >= 500 else 400)
    heading, explanation = MESSAGES[key]
    # A staff-only instance has no public pages to link to: its own plain page.
    template = "errors/error.html" if "public" in current_app.blueprints else "staff/error.html"
    return render_template(
        template, heading=heading, explanation=explanation, status=status
    ), status


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        response = render_error(exc.code or 500)
        if exc.code == 405 and exc.valid_methods:
            return (*response, {"Allow": ", ".join(exc.valid_methods)})
        return response

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        # The type and where it happened, never the message: it could quote
        # what someone typed.
        where = "\n".join(
            f"  {frame.filename}:{frame.lineno} in {frame.name}"
            for frame in traceback.extract_tb(exc.__traceback__)
        )
        log.error("Unhandled %s\n%s", type(exc).__name__, where)
        return render_error(InternalServerError.code)
