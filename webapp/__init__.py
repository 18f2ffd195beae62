"""Quiet Door: a discreet way for a landlord's residents to ask for help.

``create_app`` builds the site for one role; ``docs/architecture.md`` says
what each package is for and what it may import. Importing ``webapp`` (or
any module of ``webapp.rules``) loads no web code: Flask is imported when an
app is made.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from webapp.settings import (
    SettingsError,
    load_settings,
    production_problems,
    production_role_problems,
    secret_key,
)

if TYPE_CHECKING:
    from flask import Flask

MAX_REQUEST_BYTES = 64 * 1024  # a whole referral is a few kilobytes
ROLES = ("public", "staff", "all")
ENVIRONMENTS = ("production", "demo")


def built_for_a_command() -> bool:
    """True when ``flask --app webapp COMMAND`` is building the app to run a
    command, false when it is built to serve (gunicorn, ``flask run``, any
    other WSGI server, the tests): serving is the default, so an unknown way
    of starting gets every check."""
    if os.environ.get("FLASK_RUN_FROM_CLI") != "true":  # set by the flask command
        return False
    import click

    context = click.get_current_context(silent=True)
    return context is not None and context.command.name != "run"


def create_app(config: dict | None = None) -> Flask:
    """Build the application.

    ``config`` overrides Flask settings for tests; its ``SITE`` entry overrides
    the landlord's settings (see ``webapp/settings.py``).
    """
    from flask import Flask

    config = dict(config or {})
    instance_path = config.pop("INSTANCE_PATH", None) or os.environ.get("QD_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=instance_path,
        static_folder=str(Path(__file__).resolve().parent.parent / "static"),
    )

    # Configuration: the environment and the instance file, read now, not at import.
    env = os.environ
    app.config["QD_ENV"] = config.pop("QD_ENV", None) or env.get("QD_ENV", "demo")
    if app.config["QD_ENV"] not in ENVIRONMENTS:  # "prod" or "" must not quietly mean demo
        raise ValueError(f"QD_ENV must be production or demo, not {app.config['QD_ENV']!r}")
    production = app.config["QD_ENV"] == "production"
    # public: the resident site only, never the private key; staff: the queue,
    # with the private key; all: both, for the demo only (see docs/deploy.md).
    role_given = config.pop("QD_ROLE", None) or env.get("QD_ROLE")
    app.config["QD_ROLE"] = role_given or "all"
    if app.config["QD_ROLE"] not in ROLES:
        raise ValueError(
            f"QD_ROLE must be one of {', '.join(ROLES)}, not {app.config['QD_ROLE']!r}"
        )
    problems = production_role_problems(role_given) if production else []
    app.config["SITE"] = load_settings(app.instance_path, env, config.pop("SITE", None))
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.config["MAX_FORM_MEMORY_SIZE"] = MAX_REQUEST_BYTES
    # The few views that take more (the content editor's page of text): their
    # endpoint and their limit, set by the part of the site that has them.
    app.config["LARGER_REQUESTS"] = {}
    app.config["DATABASE_URL"] = env.get("DATABASE_URL") or "sqlite:///" + str(
        Path(app.instance_path, "quietdoor.sqlite3")
    )
    app.config.setdefault("PROXY_HOPS", int(env.get("QD_PROXY_HOPS", "0")))
    # Who the proxy is: gunicorn's own setting, so that one list says it.
    app.config.setdefault("PROXY_PEERS", env.get("FORWARDED_ALLOW_IPS", "127.0.0.1"))
    app.config.update(config)
    if "SECRET_KEY" not in config:
        try:
            app.config["SECRET_KEY"] = secret_key(app.instance_path, env, generate=not production)
        except SettingsError as missing:
            if not production:
                raise
            problems.append(str(missing))
    if production:
        always, serving = production_problems(
            app.config["QD_ROLE"], app.config.get("SECRET_KEY"), app.config["SITE"], env
        )
        problems += always
        if built_for_a_command():
            for problem in serving:  # said, so that nobody is surprised when serving
                print(f"Before serving in production: {problem}", file=sys.stderr)
        else:
            problems += serving
    if problems:
        raise SettingsError(
            "Quiet Door will not start in production (QD_ENV=production):\n  - "
            + "\n  - ".join(problems)
        )
    Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)

    app.config.setdefault("REDIS_URL", env.get("REDIS_URL"))
    if env.get("RATELIMIT_ENABLED"):  # the benchmarks switch limits off
        app.config.setdefault("RATELIMIT_ENABLED", env["RATELIMIT_ENABLED"].lower() == "true")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/London")

    from webapp import db, i18n, limits, logs, pages, security

    logs.init_app(app)
    security.init_app(app)  # first, so that every response, error pages too, has its headers
    security.csrf.init_app(app)
    limits.init_app(app)
    i18n.init_app(app)
    db.init_app(app)
    pages.init_app(app)

    from webapp.content.routes import SlugConverter

    app.url_map.converters["slug"] = SlugConverter  # before any blueprint uses it

    # Each part registers its own views and commands; a part a role does not
    # serve is never imported (a public instance loads no staff code at all).
    from webapp import content, health, notify, public, referrals, selfcheck, wayback

    app.register_blueprint(health.bp)
    role = app.config["QD_ROLE"]
    if role in ("public", "all"):
        public.init_app(app)
        selfcheck.init_app(app)
    referrals.init_app(app, role)
    wayback.init_app(app, role)
    notify.init_app(app, role)
    if role in ("staff", "all"):
        from webapp import staff

        staff.init_app(app)
    content.init_app(app, role)  # last: its /<slug> pages yield to every other route

    from webapp import errors, templating

    errors.init_app(app)
    templating.init_app(app)
    if app.config["PROXY_HOPS"]:
        # Behind a TLS proxy: trust its X-Forwarded-For and -Proto, so that rate
        # limits count each resident, not the proxy, and https is recognised;
        # but only from the proxy itself (webapp/security.py). Outermost, so
        # that everything inside (the pages kept whole, webapp/pages.py) sees
        # the request as Flask does.
        from webapp.security import TrustedProxy

        app.wsgi_app = TrustedProxy(
            app.wsgi_app, app.config["PROXY_HOPS"], app.config["PROXY_PEERS"]
        )
    return app
