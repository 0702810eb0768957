"""The quarterly review's one-page PDF: people stay told apart however long their names, no section left off."""

from __future__ import annotations

import io
import re
from datetime import date

from pypdf import PdfReader

from core.reports.pdf_layout import wrap_keeping_end
from core.reports.review import FigureChange, QuarterlyReview, ReviewDecision, render_review_pdf

LONG = "Maximiliana Alexandrovna Worthington-Featherstonehaugh de la Cruz y Villanueva"


def test_a_name_too_long_for_its_lines_loses_its_middle_so_its_end_stays():
    lines = wrap_keeping_end(f"{LONG} 12", 40, size=7.5, max_lines=2)

    assert len(lines) == 2 and lines[0].startswith("Maximiliana")
    assert "…" in " ".join(lines) and " ".join(lines).endswith("Villanueva 12")


def test_long_accountable_names_that_differ_at_the_end_stay_apart_and_every_section_stays_on_the_page():
    people = [f"{LONG} {n}" for n in range(12)]
    done = tuple(ReviewDecision(n, "retire", f"INT-{n:03}", person, date(2026, 12, 8), 175.0, 0.0)
                 for n, person in enumerate(people[:6]))
    overdue = tuple(ReviewDecision(n, "retire", f"INT-{n:03}", person, date(2025, 1, 2))
                    for n, person in enumerate(people[6:], start=6))
    integrations = tuple((f"INT-{n:03}", f"Integration {n}", "Finance") for n in range(67))
    overlaps = tuple((f"CL-INT-{n:03}", f"INT-{n:03}, INT-{n + 1:03}", 1000.0) for n in range(6))
    review = QuarterlyReview(date(2026, 9, 9), date(2026, 12, 8), "$",
                             (FigureChange("Integrations", 66, 66, False, lower_is_better=None),), integrations,
                             overlaps, done, overdue)

    reader = PdfReader(io.BytesIO(render_review_pdf(review)))

    text = " ".join(reader.pages[0].extract_text().split())
    assert len(reader.pages) == 1
    shown = re.findall(r"Villanueva (\d+) ", text)
    assert len(shown) == text.count("Retire") >= 8 and len(set(shown)) == len(shown)  # each row its own person
    assert "New integrations" in text and "New overlaps" in text and "CL-INT-000" in text  # no section left off
