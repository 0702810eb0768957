"""Pure rules on values (registry, names, overlap, complexity, TCO, rubric, sessions); no database, UI or files."""
