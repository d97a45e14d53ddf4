"""Warranty: what covers an asset (a contract of its own, the register's end date, or its
model's default), whether a day and a usage fall inside it, and which coverage ends soon."""
