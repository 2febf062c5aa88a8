"""One SQLite file: schema migrations and small functions over it."""

from viewer.core.store.database import StoreError, default_db_path, open_db

__all__ = ["StoreError", "default_db_path", "open_db"]
