"""Plan and procure: purchase requests with their business case and approvals."""
