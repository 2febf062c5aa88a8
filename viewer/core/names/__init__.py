"""Names: which forms of an entity or a speaker are one, and what labels are called."""
