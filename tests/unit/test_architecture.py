"""The house rules of docs/architecture.md, checked: the rules load no web
code, a public instance loads no staff code, and the import-linter contracts
hold (and would catch a forbidden import)."""

from __future__ import annotations

import json
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import webapp.rules

ROOT = Path(__file__).resolve().parent.parent.parent
RULES = sorted(info.name for info in pkgutil.iter_modules(webapp.rules.__path__))
WEB = ("flask", "flask_babel", "flask_wtf", "flask_talisman", "flask_limiter", "wtforms",
       "werkzeug", "jinja2", "sqlalchemy")


def fresh(code: str, **env) -> str:
    """Run ``code`` in a new interpreter (nothing imported yet) and return its output."""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, env={**os.environ, **env}, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("name", RULES)
def test_each_rules_module_loads_no_web_code(name):
    loaded = json.loads(fresh(
        f"import json, sys, webapp.rules.{name}\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {WEB!r})))"))
    assert loaded == [], f"webapp.rules.{name} loads {loaded}"


def test_the_rules_package_is_all_there_is_to_list():
    assert {"contact", "due", "intake", "casework", "sealing", "reference", "credentials",
            "audit", "reports", "outbox"} <= set(RULES)


def test_a_public_instance_loads_no_staff_code_and_no_staff_command(tmp_path, keys):
    report = json.loads(fresh(
        "import json, sys\n"
        "from webapp import create_app\n"
        "app = create_app()\n"
        "print(json.dumps({'modules': sorted(m for m in sys.modules if m == 'webapp.staff'"
        " or m.startswith('webapp.staff.')),"
        " 'commands': {name: sorted(getattr(group, 'commands', {}))"
        " for name, group in app.cli.commands.items()}}))",
        QD_ROLE="public", QD_ENV="demo", QD_PUBLIC_KEY=keys["public"],
        QD_INSTANCE_PATH=str(tmp_path / "public"), SECRET_KEY="x" * 40,
        DATABASE_URL=f"sqlite:///{tmp_path / 'public.sqlite3'}"))
    assert report["modules"] == []
    assert report["commands"] == {"content": ["check"], "db": ["grant-public", "upgrade"],
                                  "keys": ["status"]}


def test_a_staff_instance_has_its_commands(tmp_path, keys):
    report = json.loads(fresh(
        "import json\n"
        "from webapp import create_app\n"
        "print(json.dumps(sorted(create_app().cli.commands)))",
        QD_ROLE="staff", QD_ENV="demo", QD_PUBLIC_KEY=keys["public"],
        QD_PRIVATE_KEY_FILE=keys["private_file"], QD_INSTANCE_PATH=str(tmp_path / "staff"),
        SECRET_KEY="x" * 40, DATABASE_URL=f"sqlite:///{tmp_path / 'staff.sqlite3'}"))
    assert {"staff", "audit", "api-token", "referrals", "keys", "notify"} <= set(report)


def lint_imports(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([Path(sys.executable).parent / "lint-imports", "--no-cache"],
                          cwd=folder, capture_output=True, text=True, check=False, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(folder)})


def test_the_import_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("webapp/rules/due.py", "import flask", "The rules import no web code"),
    ("webapp/referrals/store.py", "from webapp.staff import audit", "journeys never import"),
    ("webapp/content/render.py", "import webapp.staff.models", "Content never imports"),
])
def test_a_forbidden_import_breaks_a_contract(tmp_path, module, line, contract):
    copy = tmp_path / "tree"
    shutil.copytree(ROOT / "webapp", copy / "webapp",
                    ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    with open(copy / module, "a") as source:
        source.write(f"\n{line}  # noqa\n")
    result = lint_imports(copy)
    assert result.returncode != 0
    assert f"{contract}" in result.stdout and "BROKEN" in result.stdout
