"""The deployment test (make deploy-check)."""
