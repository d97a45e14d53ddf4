"""Data-destruction and disposal certificates, issued by the lifecycle pipeline."""
