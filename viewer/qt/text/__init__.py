"""The article text view: marks, layout, offsets."""
