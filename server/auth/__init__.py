"""Authentication: password hashing, sessions and tokens, CSRF and Origin checks, rate limits."""
