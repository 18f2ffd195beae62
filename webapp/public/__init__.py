"""The public site: home, information pages, safety guidance and the quick exit."""

from flask import Blueprint

bp = Blueprint("public", __name__, template_folder="templates")

from webapp.public import routes  # noqa: E402, F401  (routes attach to bp)
