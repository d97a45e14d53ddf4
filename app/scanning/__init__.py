"""Tag payloads, camera scanning and photo decoding."""
