"""The JSON feed for the landlord's case system: ``GET /staff/api/referrals``
with ``Authorization: Bearer <token>``.

Tokens are made with ``flask --app webapp api-token create NAME`` and kept
only as their SHA-256. Each expires (90 days unless ``--days`` says
otherwise) and may be limited to open referrals (``--scope open``). Each
referral a token reads is audited under ``api:NAME``. Paging is by a cursor
(``after=``, the last id seen); a referral appears only ``SETTLE`` after it
arrived, so that one committed late is never skipped by a cursor that has
moved past it. A query the feed cannot use is a JSON 400, never a 500.

A referral with a way back comes with the contact rules she gave last (each
change she made there replaces the ones before) and whether contact is on
hold (she asked us to stop; her second passphrase was used and no officer
has reviewed it). The conversation itself stays on the staff site.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import UTC, datetime, timedelta

from flask import jsonify, request, url_for
from sqlalchemy import select

from webapp import db
from webapp.clock import now
from webapp.limits import limiter
from webapp.referrals.models import Referral
from webapp.staff import audit
from webapp.staff.case import contact_news, latest_contact, unsealed
from webapp.staff.models import ApiToken
from webapp.staff.web import bp

log = logging.getLogger(__name__)

PAGE_DEFAULT, PAGE_MAX = 50, 200
# A referral shows in the feed only once it is this old. PostgreSQL hands out
# ids as rows are inserted, but transactions commit in their own order: without
# the wait, a client could read id 102, move its cursor past it, and never see
# 101 committing a moment later.
SETTLE = timedelta(seconds=30)
PREFIX = "qd_"
# What a token may read: every referral, or the open ones only.
SCOPES = ("all", "open")
DAYS_DEFAULT, DAYS_MAX = 90, 365  # how long a new token works
LARGEST_ID = 2**31 - 1  # ids are PostgreSQL integers: a larger cursor is refused


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_token(name: str, days: int, scope: str) -> tuple[ApiToken, str]:
    """A new token's row and the token itself (shown once, never stored)."""
    token, made = new_token(), now()
    row = ApiToken(
        name=name,
        token_hash=token_hash(token),
        created_at=made,
        expires_at=made + timedelta(days=days),
        scope=scope,
    )
    return row, token


def expiry(token: ApiToken) -> str:
    """When the token stops working: expires on DATE, or expired on DATE."""
    day = token.expires_at.date().isoformat()
    return f"expired on {day}" if token.expires_at <= now() else f"expires on {day}"


def state(token: ApiToken) -> str:
    if token.revoked_at:
        return "revoked"
    return "expired" if token.expires_at <= now() else "working"


def problem(status: int, message: str, challenge: str = ""):
    response = jsonify({"error": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer realm="quietdoor"{challenge}'
    return response


def moment_from(text: str) -> datetime:
    """An ISO 8601 date or time as an aware moment in UTC (UTC when it names
    no zone). ValueError when it is not one, or falls outside the years 1 to
    9999 once in UTC (0001-01-01T00:00+01:00 is in year 0)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError(str(exc)) from None


def whole_number(text: str | None, default: int) -> int:
    """A whole number as written in a query (digits only), else ValueError."""
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        raise ValueError(text)
    return int(text)


def token_from_request() -> ApiToken | None:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip().startswith(PREFIX):
        return None
    wanted = token_hash(given.strip())
    found = db.session().scalar(
        select(ApiToken).where(ApiToken.token_hash == wanted, ApiToken.revoked_at.is_(None))
    )
    # The lookup is by hash, so timing says nothing of the token; compare anyway.
    if found is None or not hmac.compare_digest(found.token_hash, wanted):
        return None
    return found


def as_record(referral: Referral, opened: dict, news=()) -> dict:
    def moment(value):
        return value.isoformat() if value else None

    return {
        "id": referral.id,
        "reference": referral.reference,
        "kind": referral.kind,
        "language": referral.language,
        "received_at": moment(referral.received_at),
        "due_at": moment(referral.due_at),
        "promise_at": moment(referral.promise_at),
        "safe_window_end": moment(referral.window_end),
        "flags": referral.flag_list,
        "priority": referral.priority,
        "status": referral.status,
        "outcome": referral.outcome,
        "closed_at": moment(referral.closed_at),
        "first_contact_at": moment(referral.first_contact_at),
        # contact, contact_changed_at, contact_changed, contact_on_hold
        **latest_contact(opened["contact"], news),
        "answers": opened["answers"],
    }


@bp.route("/api/referrals")
@limiter.limit("120 per minute")
def api_referrals():
    token = token_from_request()
    if token is None:
        return problem(401, "A valid token is needed: Authorization: Bearer <token>")
    if token.expires_at <= now():
        # The caller holds this token, so may learn that it expired; nothing
        # is said of any other token.
        log.warning("An expired API token was used (%s)", token.name)
        return problem(
            401,
            "This token has expired: ask for a new one",
            ', error="invalid_token", error_description="The token has expired"',
        )
    query = select(Referral)
    if token.scope == "open":
        query = query.where(Referral.status == "open")
    elif token.scope != "all":  # a scope this release does not know reads nothing
        log.error("API token %s has an unknown scope", token.name)
        return problem(403, "This token may not read referrals")
    since = request.args.get("since")
    if since:
        try:
            query = query.where(Referral.received_at >= moment_from(since))
        except ValueError:
            return problem(
                400,
                "since must be an ISO 8601 date or time between the years 1 and 9999, "
                "like 2026-11-01T00:00Z",
            )
    try:
        after = whole_number(request.args.get("after"), 0)
        limit = whole_number(request.args.get("limit"), PAGE_DEFAULT)
    except ValueError:
        return problem(400, "after and limit must be whole numbers, like after=120&limit=50")
    if after > LARGEST_ID:
        return problem(400, "after is larger than any referral's id")
    limit = min(max(limit, 1), PAGE_MAX)
    referrals = (
        db.session()
        .scalars(
            query.where(Referral.id > after, Referral.received_at <= now() - SETTLE)
            .order_by(Referral.id)
            .limit(limit + 1)
        )
        .all()
    )
    more, referrals = len(referrals) > limit, referrals[:limit]
    news = contact_news([r.id for r in referrals])
    records = [as_record(r, unsealed(r.sealed), news.get(r.id, ())) for r in referrals]
    session = db.session()
    token.last_used_at = now()
    audit.record_many(
        session,
        f"api:{token.name}",
        "referral.api_read",
        [r.reference for r in referrals] or [None],
        now(),
        "" if referrals else "empty page",
    )
    session.commit()
    following = None
    if more:
        following = url_for(
            "staff.api_referrals",
            since=since or None,
            limit=limit,
            after=referrals[-1].id,
            _external=False,
        )
    return jsonify({"referrals": records, "next": following})
