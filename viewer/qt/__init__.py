"""The desktop GUI (PySide6). Only the entry point imports this package."""
