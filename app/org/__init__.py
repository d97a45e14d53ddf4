"""Places and people: the location tree, departments and assignees."""
