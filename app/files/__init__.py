"""Photos and other evidence, stored content-addressed: the SHA-256 is the name."""
