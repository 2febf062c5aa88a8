"""Plain-Python core: corpus loading, NLP, storage. Never imports Qt."""
