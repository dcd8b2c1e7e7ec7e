"""Demo data (filled in by the seed task)."""
DEMO_PASSWORD = "hearth-demo-2026"


def seed():
    return []
