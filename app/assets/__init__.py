"""The asset register: the current state of every asset, and its pages and API."""
