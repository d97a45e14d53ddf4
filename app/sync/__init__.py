"""The phone's single write path: batches of events made offline, applied on reconnect."""
