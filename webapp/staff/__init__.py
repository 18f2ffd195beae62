"""The staff side: accounts with a second factor, and the audit log.

(The sign-in pages and the callback queue build on these.)
"""


def init_app(app) -> None:
    from webapp.staff import cli

    app.cli.add_command(cli.staff_cli)
    app.cli.add_command(cli.audit_cli)
