"""Content negotiation for the app's precompressed files (Accept-Encoding, RFC 9110 12.5.3)."""

from __future__ import annotations

# Files the build compresses (pwa/scripts/compress.mjs): text; images are compressed already.
COMPRESSIBLE = (".js", ".mjs", ".css", ".html", ".svg", ".webmanifest", ".json", ".txt")
# What the build writes beside each file, best first: brotli is ~15% smaller than gzip here.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


def accepted(header: str) -> dict[str, float]:
    """Return each coding the Accept-Encoding header names, with its weight (q)."""
    weights: dict[str, float] = {}
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        name = name.strip().lower()
        if not name:
            continue
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0  # a malformed weight is no consent to that coding
        weights[name] = weight
    return weights


def preferred_encodings(header: str) -> list[tuple[str, str]]:
    """Return the (coding, file suffix) pairs the client accepts, best first."""
    weights = accepted(header)
    wildcard = weights.get("*", 0.0)
    chosen = [
        (weights.get(name, wildcard), index, name, suffix)
        for index, (name, suffix) in enumerate(ENCODINGS)
    ]
    return [
        (name, suffix)
        for weight, _, name, suffix in sorted(chosen, key=lambda c: (-c[0], c[1]))
        if weight > 0
    ]
