"""The HTTP API of DESIGN.md section 4: handlers, request parsing, errors, OpenAPI."""
