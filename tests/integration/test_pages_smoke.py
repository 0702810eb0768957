"""Every page of the app loads on the sample registry without an exception (one AppTest per page)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PROJECT_DIR = Path(__file__).resolve().parents[2]
APP = PROJECT_DIR / "app.py"
# The pages the router declares: a page added to app.py is smoke-tested without touching this file.
ROUTED = re.findall(r'st\.Page\("(pages/[a-z_]+\.py)"', APP.read_text(encoding="utf-8"))


def test_every_page_script_is_routed():
    scripts = sorted(f"pages/{p.name}" for p in (PROJECT_DIR / "pages").glob("*.py") if not p.name.startswith("_"))

    assert sorted(ROUTED) == scripts


@pytest.mark.parametrize("page", ROUTED)
@pytest.mark.usefixtures("app_database")
def test_page_loads_on_the_sample_registry(page):
    at = AppTest.from_file(str(APP), default_timeout=90)

    at.switch_page(page).run()

    assert not at.exception, [e.value for e in at.exception]
    assert at.title and at.title[0].value.strip()
    assert not at.error, [e.value for e in at.error]
