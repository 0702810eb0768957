"""Integration governance core: registry, overlap, TCO and rubric logic, free of any UI."""
