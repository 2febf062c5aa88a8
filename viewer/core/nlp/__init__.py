"""spaCy pipeline and quote detection."""
