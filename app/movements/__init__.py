"""Assets moving between places and people: received, checked in and out, transferred,
lost and found."""
