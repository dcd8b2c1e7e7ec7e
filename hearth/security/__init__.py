"""Password hashing, password rules, token helpers."""
