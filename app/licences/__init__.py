"""Licences and subscriptions, leases and support contracts: seats, terms and renewals."""
