"""``/health`` for the load balancer, on every role: 200 when the database
answers, 503 when it does not, and nothing more."""

from flask import Blueprint

from webapp import db

bp = Blueprint("health", __name__)


@bp.route("/health")
def health():
    if db.ping(db.engine()):
        return "ok\n", 200, {"Content-Type": "text/plain"}
    return "unavailable\n", 503, {"Content-Type": "text/plain"}
