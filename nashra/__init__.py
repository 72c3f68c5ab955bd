"""Nashra: a static site generator for curated Arabic news digests."""

__version__ = "0.1.0"
