"""viewer: read a news corpus with its entities and quotations highlighted."""

__version__ = "0.1.0"
