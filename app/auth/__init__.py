"""Who may do what: users, roles, sessions and API tokens."""
