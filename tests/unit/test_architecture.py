"""The design card's rules that code review alone would miss: the layers of core/ and who may import what."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
CORE = PROJECT_DIR / "core"
CORE_FILES = sorted(p for p in CORE.rglob("*.py") if "migrations" not in p.parts)
LAYERS = ("domain", "storage", "reports", "services")
MAX_MODULE_LINES = 700


def _files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (CORE / folder).rglob("*.py") if "migrations" not in p.parts)


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    return names


def _under(module: str, *prefixes: str) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def _id(path: Path) -> str:
    return str(path.relative_to(PROJECT_DIR))


def test_core_is_grouped_in_the_four_layers():
    folders = {p.name for p in CORE.iterdir() if p.is_dir() and not p.name.startswith("__")}
    loose = {p.name for p in CORE.glob("*.py")}

    assert folders == set(LAYERS)
    # Besides the layers: the package marker, `python -m core`, the command line (its after-the-meeting commands in
    # a module of their own) and the two modules every layer shares (the named errors and the wording).
    assert loose == {"__init__.py", "__main__.py", "cli.py", "cli_follow_up.py", "errors.py", "wording.py"}


@pytest.mark.parametrize("path", _files("domain"), ids=_id)
def test_domain_imports_no_storage_reports_services_ui_or_files(path):
    forbidden = [m for m in imported_modules(path)
                 if _under(m, "core.storage", "core.reports", "core.services", "core.cli", "streamlit", "sqlalchemy",
                           "sqlmodel", "alembic", "fpdf", "matplotlib", "pathlib", "tomllib")]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    opens = [node.lineno for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open"]

    assert (forbidden, opens) == ([], [])


@pytest.mark.parametrize("path", _files("storage"), ids=_id)
def test_storage_imports_no_reports_or_services(path):
    assert [m for m in imported_modules(path)
            if _under(m, "core.reports", "core.services", "core.cli", "streamlit")] == []


@pytest.mark.parametrize("path", _files("reports"), ids=_id)
def test_reports_read_values_not_the_database(path):
    assert [m for m in imported_modules(path)
            if _under(m, "core.storage", "core.services", "core.cli", "streamlit", "sqlalchemy", "sqlmodel")] == []


@pytest.mark.parametrize("path", [CORE / "errors.py", CORE / "wording.py"], ids=_id)
def test_errors_and_wording_depend_on_nothing_else_in_core(path):
    assert [m for m in imported_modules(path) if _under(m, "core")] == []


CLI_MODULES = [CORE / "cli.py", CORE / "cli_follow_up.py"]
ENTRY_POINTS = sorted([*(PROJECT_DIR / "pages").glob("*.py"), PROJECT_DIR / "app.py", *CLI_MODULES])


@pytest.mark.parametrize("path", ENTRY_POINTS, ids=_id)
def test_pages_app_and_cli_call_only_services_errors_and_wording(path):
    core_imports = {m for m in imported_modules(path) if _under(m, "core")}
    cli = ("core.cli", "core.cli_follow_up") if path in CLI_MODULES else ()  # the two CLI modules share helpers
    allowed = ("core.services", "core.errors", "core.wording", *cli)
    outside = {m for m in core_imports if not _under(m, *allowed)}
    database = {m for m in imported_modules(path) if _under(m, "sqlalchemy", "sqlmodel", "alembic")}

    assert (outside, database) == (set(), set())


@pytest.mark.parametrize("path", CORE_FILES, ids=_id)
def test_core_module_never_imports_streamlit(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))

    imported = {alias.name.split(".")[0]
                for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0]
                 for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}

    assert "streamlit" not in imported


@pytest.mark.parametrize("path", CORE_FILES, ids=_id)
def test_no_core_module_is_longer_than_the_limit(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_MODULE_LINES


def test_importing_every_core_module_does_not_load_streamlit():
    modules = [".".join(p.relative_to(PROJECT_DIR).with_suffix("").parts) for p in CORE_FILES
               if p.name != "__main__.py"]
    code = f"import sys; [__import__(m) for m in {modules!r}]; print('streamlit' in sys.modules)"

    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "False"
