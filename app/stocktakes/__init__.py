"""Stock-takes: what should be where, what was counted, and reconciling the two."""
