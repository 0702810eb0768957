"""Storage: the database (tables, migrations, stores, history, backup) and the shipped defaults in data/."""
