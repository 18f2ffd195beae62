"""The staff side: sign-in with a second factor, the callback queue, a
referral opened with the private key, and the audit log."""

from flask import Blueprint
from flask_babel import format_datetime

bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates")


@bp.context_processor
def staff_context():
    return {"format_datetime": format_datetime}


from webapp.staff import routes  # noqa: E402, F401  (routes attach to bp)


def init_app(app) -> None:
    from webapp.staff import cli

    app.register_blueprint(bp)
    app.cli.add_command(cli.staff_cli)
    app.cli.add_command(cli.audit_cli)
