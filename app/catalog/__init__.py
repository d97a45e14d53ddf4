"""What kinds of things we own: categories and models."""
