"""Corpus files to articles: formats and decoding."""
