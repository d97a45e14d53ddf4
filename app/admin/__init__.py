"""User administration: accounts, roles and API tokens."""
