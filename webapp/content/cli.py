"""``flask --app webapp content check``: every file in the content folder,
and every version the database publishes, as the site would read them.
(``content import`` and ``content export`` are the staff side's:
``webapp/staff/cli.py``.)"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, RequestRedirect

from webapp import clock
from webapp.content.library import KINDS, ContentError, Document, field_line, parse, parse_text
from webapp.content.published import PUBLISHED
from webapp.settings import DEMO_AREAS

content_cli = AppGroup(
    "content", help="Pages, campaigns and local services: in the database, and as files."
)


def public_routes() -> Map:
    """The public site's addresses, which links and page names are checked
    against: this app's own, or, on a staff instance (which serves none of
    them, yet checks what the comms team publishes), the same blueprints'
    rules gathered once."""
    if "content.page" in current_app.view_functions:
        return current_app.url_map
    return _public_routes(tuple(current_app.config["SITE"].languages))


@functools.cache
def _public_routes(languages: tuple[str, ...]) -> Map:
    from flask import Flask

    from webapp import health
    from webapp.content import routes
    from webapp.i18n import DEFAULT, LanguageConverter
    from webapp.public import routes as public
    from webapp.referrals import routes as referrals
    from webapp.selfcheck import routes as selfcheck
    from webapp.wayback import routes as wayback

    site = Flask("quietdoor-public-routes")
    site.url_map.converters["slug"] = routes.SlugConverter
    site.url_map.converters["lang"] = type(
        "EnabledLanguages",
        (LanguageConverter,),
        {"codes": tuple(code for code in languages if code != DEFAULT)},
    )
    for blueprint in (health.bp, public.bp, selfcheck.bp, referrals.bp, wayback.bp, routes.bp):
        site.register_blueprint(blueprint)
    return site.url_map


def resolve(path: str, documents: dict) -> str | None:
    """Why an internal link goes nowhere; None when it goes somewhere."""
    bare = path.split("#", 1)[0].split("?", 1)[0] or "/"
    adapter = public_routes().bind("localhost")
    try:
        endpoint, args = adapter.match(bare, method="GET")
    except RequestRedirect:
        return None
    except MethodNotAllowed:
        return None
    except NotFound:
        return f"the link {path} goes to no page"
    kind = {"content.page": "pages", "content.campaign": "campaigns"}.get(endpoint)
    if kind and not any(k == kind and slug == args["slug"] for k, slug, _ in documents):
        return f"the link {path} goes to no {kind[:-1]} (no content/{kind}/{args['slug']}.en.md)"
    return None


def check(
    root: Path,
    languages: tuple[str, ...],
    today,
    areas: tuple[str, ...] = (),
    production: bool = False,
) -> tuple[list[str], list[str]]:
    """(errors, warnings) of the files under ``root``, each ``FILE:LINE:
    problem``. ``areas``: the landlord's, which local services must name;
    ``production``: refuse example services (and the demo's areas)."""
    errors, documents = [], {}
    if production and areas == DEMO_AREAS and any((root / "services").glob("*.md")):
        errors.append(
            f"settings: areas are the demo's ({', '.join(DEMO_AREAS)}): set the "
            "landlord's own areas in the settings file (docs/configuration.md)"
        )
    for kind in KINDS:
        for path in sorted((root / kind).glob("*.md")):
            name = path.relative_to(root.parent) if root.parent in path.parents else path
            try:
                doc = parse(path, kind)
            except ContentError as problem:
                errors.append(f"{name}:{problem.line}: {problem.reason}")
                continue
            documents[(kind, doc.slug, doc.lang)] = (doc, name)
    more, warnings = check_documents(documents, languages, today, areas, production)
    return errors + more, warnings


def check_documents(
    documents: dict[tuple[str, str, str], tuple[Document, object]],
    languages: tuple[str, ...],
    today,
    areas: tuple[str, ...] = (),
    production: bool = False,
) -> tuple[list[str], list[str]]:
    """(errors, warnings) of documents that parsed, each ``NAME:LINE:
    problem``: what only the whole set shows (a translation without its
    English, links to nowhere, dates or facts that differ between
    languages). ``documents``: (kind, slug, lang) -> (document, its name)."""
    errors, warnings = [], []
    for (kind, slug, lang), (doc, name) in sorted(documents.items()):
        if lang not in languages:
            warnings.append(
                f"{name}:1: {lang} is not one of the site's languages "
                f"({', '.join(languages)}); nobody will see this file"
            )
        if (kind, slug, "en") not in documents:
            errors.append(f"{name}:1: there is no English {slug}.en.md beside it")
        for line, link in doc.links:
            problem = resolve(link, documents)
            if problem:
                errors.append(f"{name}:{line}: {problem}")
        if kind == "pages":
            taken = own_route(slug)
            if taken:
                errors.append(
                    f"{name}:1: /{slug} is the site's own page ({taken}); choose another name"
                )
        if doc.review_by and doc.review_by < today:
            warnings.append(
                f"{name}:1: review_by {doc.review_by} has passed: check it is "
                "still right, then move the date on"
            )
        if lang == "en":
            for other in languages:
                if (kind, slug, other) not in documents:
                    warnings.append(
                        f"{name}:1: no {other} translation "
                        f"({slug}.{other}.md); {other} readers see English"
                    )
        else:
            english = documents.get((kind, slug, "en"))
            if english and dates(english[0]) != dates(doc):
                errors.append(f"{name}:1: its dates differ from {english[1]}'s")
            if english and nations(english[0]) != nations(doc):
                errors.append(
                    f"{name}:1: its {{nation: ...}} parts differ from {english[1]}'s: a "
                    "landlord in one of those nations would show its readers the wrong text"
                )
            if english and kind == "services" and facts(english[0]) != facts(doc):
                errors.append(
                    f"{name}:1: its phone, self_referral, areas, languages or example "
                    f"differ from {english[1]}'s (translate the words only)"
                )
        if doc.service:
            errors += service_problems(doc, name, areas, production)
    return errors, warnings


def service_problems(doc: Document, name, areas: tuple[str, ...], production: bool) -> list[str]:
    """A local service names only the landlord's areas, and is real in production."""
    problems = []
    text = doc.source
    unknown = [area for area in doc.service.areas if area not in areas]
    if unknown:
        configured = ", ".join(areas) if areas else "none are set"
        problems.append(
            f"{name}:{field_line(text, 'areas')}: area(s) {', '.join(unknown)} are not "
            f"the landlord's areas (the areas setting: {configured})"
        )
    if doc.service.example and production:
        problems.append(
            f"{name}:{field_line(text, 'example')}: an example service, made up for the "
            "demo: production refuses it; delete the file (residents would call it)"
        )
    return problems


def facts(doc: Document) -> tuple | None:
    return doc.service.facts() if doc.service else None


def dates(doc: Document) -> tuple:
    return doc.publish_from, doc.publish_until


def nations(doc: Document) -> list:
    """The nations of each of a document's parts, in order (None: for all)."""
    return [only and sorted(only) for only, _html in doc.sections]


def own_route(slug: str) -> str | None:
    try:
        endpoint, _ = public_routes().bind("localhost").match(f"/{slug}", method="GET")
    except (NotFound, RequestRedirect, MethodNotAllowed):
        return None
    return None if endpoint == "content.page" else endpoint


class NotMigrated(Exception):
    """The database holds no content yet (``flask db upgrade`` has not run)."""


def check_published(
    engine: Engine,
    languages: tuple[str, ...],
    today,
    areas: tuple[str, ...] = (),
    production: bool = False,
) -> tuple[list[str], list[str], int]:
    """(errors, warnings, how many versions) of what the database publishes,
    each ``database: KIND/SLUG.LANG.md:LINE: problem``: what residents see
    now, which approval and ``content import`` checked, but which the
    database may hold from before a rule was added, or changed behind the
    site's back. Read through ``published_content``, as a public instance
    reads it. Raises ``NotMigrated``."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(PUBLISHED).all()
    except DBAPIError as problem:
        raise NotMigrated(str(problem.orig).strip().splitlines()[0]) from None
    errors, documents = [], {}
    for row in sorted(rows, key=lambda row: (row.kind, row.slug, row.lang)):
        if row.kind not in KINDS:
            continue
        name = f"database: {row.kind}/{row.slug}.{row.lang}.md"
        try:
            doc = parse_text(f"{row.slug}.{row.lang}.md", row.text, row.kind)
        except ContentError as problem:
            errors.append(f"{name}:{problem.line}: {problem.reason}")
            continue
        documents[(row.kind, doc.slug, doc.lang)] = (doc, name)
    if production and areas == DEMO_AREAS and any(kind == "services" for kind, _, _ in documents):
        errors.append(
            f"settings: areas are the demo's ({', '.join(DEMO_AREAS)}): set the "
            "landlord's own areas in the settings file (docs/configuration.md)"
        )
    more, warnings = check_documents(documents, languages, today, areas, production)
    return errors + more, warnings, len(rows)


@content_cli.command("check")
@click.option("--strict", is_flag=True, help="Fail on warnings (missing translations) too.")
def check_command(strict):
    """Check the files in the content folder and what the database
    publishes; exit 1 naming FILE:LINE if one is broken (``content/...`` a
    file, ``database: ...`` a published version)."""
    library = current_app.extensions["content_files"]
    site = current_app.config["SITE"]
    settings = dict(
        languages=site.languages,
        today=clock.today(),
        areas=site.areas,
        production=current_app.config.get("QD_ENV") == "production",
    )
    errors, warnings = check(library.root, **settings)
    count = sum(len(list((library.root / kind).glob("*.md"))) for kind in KINDS)
    summary = [
        f"{count} file(s) in {library.root} checked: "
        f"{len(errors)} error(s), {len(warnings)} warning(s)."
    ]
    try:
        more, warned, published = check_published(current_app.extensions["db_engine"], **settings)
    except NotMigrated as problem:
        summary.append(
            f"database: not checked, it holds no content yet ({problem}): run "
            "`flask --app webapp db upgrade`, which publishes the content folder."
        )
    else:
        errors, warnings = errors + more, warnings + warned
        summary.append(
            f"database: {published} published version(s) checked: "
            f"{len(more)} error(s), {len(warned)} warning(s)."
        )
    for line in errors:
        click.echo(f"error: {line}")
    for line in warnings:
        click.echo(f"warning: {line}")
    for line in summary:
        click.echo(line)
    sys.exit(1 if errors or (strict and warnings) else 0)
