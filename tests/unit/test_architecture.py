"""The design card's rules that code review alone would miss."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
CORE_FILES = sorted((PROJECT_DIR / "core").rglob("*.py"))


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(PROJECT_DIR)))
def test_core_module_never_imports_streamlit(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))

    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}

    assert "streamlit" not in imported


def test_importing_every_core_module_does_not_load_streamlit():
    modules = [".".join(p.relative_to(PROJECT_DIR).with_suffix("").parts) for p in CORE_FILES
               if p.name not in {"__main__.py", "env.py"} and "versions" not in p.parts]
    code = f"import sys; [__import__(m) for m in {modules!r}]; print('streamlit' in sys.modules)"

    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "False"
