"""The phone app: shell pages (no user data in them, so they can be cached for offline use)."""
