"""The apps' layers (STYLE.md, "Dependencies between apps"): imports only go down, and a
template or a URL name of a lower stage never names a higher stage.

`lint-imports` (run by `make lint`) checks the Python imports against the contract in
pyproject.toml; these tests prove that it does catch a wrong import, and check what it
cannot see: templates (`{% url %}`, `{% load %}`, `{% include %}`) and URL names written
as strings.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from django.urls import get_resolver

ROOT = Path(__file__).resolve().parent.parent
# The wiring that may name every app (ignored by the contract as well).
WIRING = {"dealership/settings.py", "dealership/urls.py", "dealership/celery.py"}


def _contract() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as config:
        return tomllib.load(config)["tool"]["importlinter"]["contracts"][0]


# Lowest first: dealership (the core) is 0, reports the highest.
LAYERS = list(reversed(_contract()["layers"]))
LEVEL = {app: level for level, app in enumerate(LAYERS)}


def _run_lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    return subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=cwd, capture_output=True, text=True,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}, timeout=60, check=False,
    )


def test_lint_imports_refuses_a_lower_app_importing_a_higher_one(tmp_path):
    for app in LAYERS:
        shutil.copytree(ROOT / app, tmp_path / app,
                        ignore=shutil.ignore_patterns("migrations", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    before = _run_lint_imports(tmp_path)
    (tmp_path / "leads" / "wrong_way.py").write_text("import reports  # the wrong way\n")

    after = _run_lint_imports(tmp_path)

    assert "leads.wrong_way" not in before.stdout
    assert after.returncode == 1
    assert "leads is not allowed to import reports" in after.stdout
    assert "leads.wrong_way -> reports (l.1)" in after.stdout


# --- What lint-imports cannot see -----------------------------------------------------------
def _namespace_apps() -> dict[str, str]:
    """Each URL namespace of ours and the app whose views it serves (the admin's is free)."""
    apps = {}
    for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items():
        if isinstance(resolver.urlconf_module, ModuleType):
            module = resolver.urlconf_module.__name__
        else:  # patterns listed in the root URLconf itself: the app of their views
            module = resolver.url_patterns[0].callback.__module__
        apps[namespace] = module.split(".")[0]
    return {namespace: app for namespace, app in apps.items() if app in LEVEL}


def _tag_library_apps() -> dict[str, str]:
    """Each of our template tag libraries and its app (Django's and others' are free)."""
    return {library.stem: app for app in LAYERS
            for library in (ROOT / app / "templatetags").glob("*.py")
            if library.stem != "__init__"}


def _template_owner(template: Path) -> str:
    """The stage of `templates/<stage>/...`; everything else (base, components, errors,
    the core's pages) is the core's."""
    top = template.relative_to(ROOT / "templates").parts[0]
    return top if top in LEVEL and top != "dealership" else "dealership"


URL_TAG = re.compile(r"""\{%\s*url\s+['"]([\w-]+):""")
LOAD_TAG = re.compile(r"\{%\s*load\s+([^%]+?)\s*%\}")
INCLUDE_TAG = re.compile(r"""\{%\s*(?:include|extends)\s+['"](\w+)/""")


def _template_references(text: str) -> list[tuple[str, str]]:
    """("url", namespace), ("load", library) and ("include", folder) for each reference
    in a template."""
    refs = [("url", namespace) for namespace in URL_TAG.findall(text)]
    refs += [("include", folder) for folder in INCLUDE_TAG.findall(text)]
    for libraries in LOAD_TAG.findall(text):
        words = libraries.split()
        # `{% load name from library %}` loads from the last word.
        names = words[-1:] if "from" in words else words
        refs += [("load", name) for name in names]
    return refs


def test_templates_name_no_higher_stage():
    namespaces, libraries = _namespace_apps(), _tag_library_apps()
    folders = {app: app for app in LAYERS}  # templates/<stage>/ is the stage's
    wrong = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        owner = _template_owner(template)
        for kind, name in _template_references(template.read_text(encoding="utf-8")):
            target = {"url": namespaces, "load": libraries, "include": folders}[kind].get(name)
            if target is not None and LEVEL[target] > LEVEL[owner]:
                wrong.append(f"{template.relative_to(ROOT)} ({owner}) {kind}s {name} ({target})")

    assert wrong == []


URL_NAME = re.compile(r"([a-z_]+):[a-z_]+(?::[a-z_]+)*")


def test_python_names_no_url_of_a_higher_stage():
    """`reverse("contracts:...")` in leads would pass lint-imports: it is a string."""
    namespaces = _namespace_apps()
    wrong = []
    for owner in LAYERS:
        for module in sorted((ROOT / owner).rglob("*.py")):
            path = module.relative_to(ROOT).as_posix()
            if "migrations" in module.parts or path in WIRING:
                continue
            for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                    continue
                match = URL_NAME.fullmatch(node.value)
                target = namespaces.get(match.group(1)) if match else None
                if target is not None and LEVEL[target] > LEVEL[owner]:
                    wrong.append(f"{path}:{node.lineno} names {node.value} ({target})")

    assert wrong == []


@pytest.mark.parametrize(("text", "expected"), [
    ("{% url 'contracts:quote_create' lead.pk %}", [("url", "contracts")]),
    ('{% url "leads:detail" pk=1 as link %}', [("url", "leads")]),
    ("{% url 'my_day' %}", []),
    ("{% load i18n quote_tags %}", [("load", "i18n"), ("load", "quote_tags")]),
    ("{% load money from money_tags %}", [("load", "money_tags")]),
    ('{% include "contracts/components/quote_card.html" %}', [("include", "contracts")]),
    ('{% extends "base.html" %}', []),
])
def test_template_references_reads_url_and_load_tags(text, expected):
    assert _template_references(text) == expected
