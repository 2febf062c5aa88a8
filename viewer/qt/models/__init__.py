"""Table models and the helpers they share."""
