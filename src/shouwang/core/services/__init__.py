"""Every write of the core app. Each function is one transaction and records what it owes to the
audit log."""
