"""In Chromium: the organisation is named before the first PDF, which prints it; a cluster memo downloads."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import screenshot, wait_for_app

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser-snapshot_and_memo")]
PATIENCE_MS = 120_000


def pdf_text(path) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def open_signed_in(page, url: str) -> None:
    """Local mode: the person at this copy is an admin, named in the address as a shared link names them."""
    page.goto(f"{url}{'&' if '?' in url else '?'}who=Ana+Lima")
    wait_for_app(page, timeout=120_000)  # the TCO page simulates 10,000 outcomes on its first run


def download(page, button_name: str, path) -> tuple[int, str]:
    button = page.get_by_role("button", name=button_name).first
    button.wait_for(timeout=PATIENCE_MS)
    with page.expect_download(timeout=PATIENCE_MS) as file:
        button.click()
    file.value.save_as(path)
    return pdf_text(path)


def test_the_organisation_is_asked_before_the_first_snapshot_and_printed_on_it(server, page, tmp_path):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_signed_in(page, f"{server['url']}/tco")
    page.get_by_text("Forward cost, next 12 months").first.wait_for(timeout=PATIENCE_MS)  # the whole page is drawn
    wait_for_app(page, timeout=PATIENCE_MS)
    box = page.get_by_role("textbox", name="Organisation name printed on PDFs")
    box.wait_for(timeout=PATIENCE_MS)
    assert box.input_value(timeout=PATIENCE_MS) == "Our company"  # the visible default

    box.fill("Zoë Müller GmbH", timeout=PATIENCE_MS)
    page.get_by_role("button", name="Use this name").click(timeout=PATIENCE_MS)
    box.wait_for(state="detached", timeout=PATIENCE_MS)
    wait_for_app(page)
    page.get_by_text("Forward cost, next 12 months").first.wait_for(timeout=PATIENCE_MS)
    screenshot(page, "tco-snapshot-page")
    pages, text = download(page, "Download PDF", tmp_path / "snapshot.pdf")

    assert pages == 1
    assert "Zoë Müller GmbH" in text and "Our company" not in text
    assert "FORWARD COST" in text and "FTE" in text


def test_a_clusters_ownership_memo_downloads_from_overlaps_in_at_most_two_pages(server, page, tmp_path):
    open_signed_in(page, f"{server['url']}/overlaps")

    pages, text = download(page, "Ownership memo (PDF)", tmp_path / "memo.pdf")

    assert 1 <= pages <= 2
    assert "OWNERSHIP MEMO" in text and "Sign-off" in text
