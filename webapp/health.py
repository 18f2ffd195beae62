"""``/health`` for the load balancer, on every role: 200 when the database
answers, 503 when it does not, and nothing more.

Also over plain http in production: a load balancer usually checks each
instance directly, not through the TLS proxy, and a redirect to https would
look like a dead instance. It carries nothing anyone typed."""

from flask import Blueprint

from webapp import db
from webapp.security import talisman

bp = Blueprint("health", __name__)


@bp.route("/health")
@talisman(force_https=False)
def health():
    if db.ping(db.engine()):
        return "ok\n", 200, {"Content-Type": "text/plain"}
    return "unavailable\n", 503, {"Content-Type": "text/plain"}
