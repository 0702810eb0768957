"""Integration governance core, in layers: domain (rules), storage (database), reports (documents), services (actions)."""
