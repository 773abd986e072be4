"""The layers hold: every arrow points down.

    fundmgr.conf (the project: settings, urls, celery, wsgi)  may import any app
    reports  ->  fundmgr  ->  ledger                            never back up

The test reads every product module's imports (ast, also those inside functions, and
relative ones resolved), so a new upward import fails here before it tangles anything.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("fundmgr", "ledger", "reports")
# Entry points may name the project layer: they are what starts it.
ENTRY_POINTS = {"manage.py"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports, as absolute dotted names (a `from X import y` counts
    as X and as X.y, since y may be a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def product_files() -> list[Path]:
    files = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    return sorted(files) + [ROOT / name for name in sorted(ENTRY_POINTS)]


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def upward(importer: str, imported: str) -> bool:
    if within(importer, "fundmgr.conf"):
        return False  # the project layer is on top
    if within(imported, "fundmgr.conf"):
        return True  # nothing below the project imports it
    if within(importer, "ledger"):
        return within(imported, "fundmgr") or within(imported, "reports")
    if within(importer, "fundmgr"):
        if within(importer, "fundmgr.lib"):  # pure helpers: nothing of ours but lib
            return any(within(imported, p) for p in PACKAGES) and not within(
                imported, "fundmgr.lib"
            )
        return within(imported, "reports")
    return False


def violations() -> list[str]:
    found = []
    for path in product_files():
        if path.name in ENTRY_POINTS:
            continue
        importer = module_name(path)
        for imported in sorted(imports_of(path)):
            if upward(importer, imported):
                found.append(f"{path.relative_to(ROOT)} imports {imported}")
    return found


def test_no_module_imports_from_a_layer_above_it():
    assert violations() == []


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("ledger.services", "fundmgr.models"),
        ("ledger.tasks", "reports.tasks"),
        ("fundmgr.services.income", "reports.services"),
        ("fundmgr.models", "fundmgr.conf.settings"),
        ("reports.public.views", "fundmgr.conf"),
        ("fundmgr.lib.dates", "fundmgr.models"),
    ],
)
def test_an_upward_import_is_caught(importer, imported):
    assert upward(importer, imported)


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("fundmgr.conf.urls", "reports.public.views"),
        ("reports.services", "fundmgr.access"),
        ("fundmgr.services.income", "ledger.services"),
        ("fundmgr.services.drafts", "fundmgr.lib.split"),
        ("fundmgr.conf", "fundmgr.conf.celery"),
    ],
)
def test_a_downward_import_is_allowed(importer, imported):
    assert not upward(importer, imported)


def test_relative_imports_are_resolved(tmp_path, monkeypatch):
    package = tmp_path / "fundmgr" / "officer"
    package.mkdir(parents=True)
    module = package / "income.py"
    module.write_text("from ..models import Income\nfrom . import forms\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert {
        "fundmgr.models",
        "fundmgr.models.Income",
        "fundmgr.officer",
        "fundmgr.officer.forms",
    } <= imports_of(module)
