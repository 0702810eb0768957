"""Integration governance core, layered: domain (rules), storage (database), reports (documents), services (actions)."""
