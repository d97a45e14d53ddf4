"""The lifecycle state machine and the one pipeline every change to an asset goes through."""
