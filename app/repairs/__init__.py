"""Repairs logged against assets: the seed of maintenance."""
