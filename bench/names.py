"""Timing of near-miss name suggestions among 2,000 names (the speed target the unit tests no longer time).

Run: ``.venv/bin/python bench/names.py`` -- prints the best of five runs against the 3-second target.
"""

from __future__ import annotations

import random
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.domain.names import Aliases, suggest_name_variants  # noqa: E402

TARGET_SECONDS = 3.0  # about 0.5 s on 2 idle cores; generous for loaded CI machines


def time_suggestions(count: int = 2000, repeat: int = 5) -> float:
    """The best time, in seconds, of suggesting variants among ``count`` random one-to-three-word names."""
    rng = random.Random(7)
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9))).title() for _ in range(900)]
    names = [" ".join(rng.sample(words, rng.randint(1, 3))) for _ in range(count)]
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        suggest_name_variants(names, Aliases())
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    seconds = time_suggestions()
    ok = seconds < TARGET_SECONDS
    print(f"Name suggestions among 2,000 names: {seconds:.2f} s (target < {TARGET_SECONDS:.0f} s): "
          f"{'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
