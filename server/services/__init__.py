"""Services: the pass lifecycle and what it reads, each transition in one transaction."""
