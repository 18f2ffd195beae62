from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session
from sqlalchemy.exc import SQLAlchemyError

from webapp import db, pages, presentation
from webapp.i18n import localised_route
from webapp.public.browsers import detect, in_order
from webapp.public.guidance import STEPS
from webapp.referrals import store
from webapp.rules import wayback
from webapp.wayback import routes as way_back_routes
from webapp.wayback import store as way_back_store

bp = Blueprint("public", __name__, template_folder="templates")

# Sent with the exit: the browser drops our cache, cookies and storage.
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


@localised_route(bp, "/")
def home():
    # Worked out inside the render: a page served from the cache needs no
    # translation looked up.
    return pages.shared(
        lambda: render_template(
            "public/home.html",
            promise=presentation.promise_lead(current_app.config["SITE"].response_promise),
        )
    )


@localised_route(bp, "/safety-online")
def safety_online():
    mine = detect(request.headers.get("User-Agent"))
    return pages.shared(
        lambda: render_template(
            "public/safety_online.html", steps=STEPS, browsers=in_order(mine), detected=mine
        ),
        vary=mine,
    )


@bp.route("/exit", endpoint="exit")
def exit_site():
    """Leave: drop the visitor's drafts and session here too, in case the
    browser ignores Clear-Site-Data (plain http, older browsers)."""
    drafts = session.get("drafts", {})
    if drafts:
        try:
            for ref in drafts.values():
                store.discard_draft(db.session(), ref["id"])
        except SQLAlchemyError:  # leaving must never wait on the database
            db.session().rollback()
    if session:
        session.clear()  # and the cookie is deleted
    response = redirect(current_app.config["SITE"].exit_url, code=303)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    leave_way_back(response)
    return response


def leave_way_back(response) -> None:
    """End a way back visit at once: its row (the opened key) and its cookie."""
    name = way_back_routes.cookie_name()
    value = request.cookies.get(name)
    if not value:
        return
    parts = wayback.split_visit_secret(value)
    if parts:
        try:
            way_back_store.end_visit(db.session(), wayback.visit_id(parts[0]))
        except SQLAlchemyError:  # leaving must never wait on the database
            db.session().rollback()
    way_back_routes.forget_cookie(response)
