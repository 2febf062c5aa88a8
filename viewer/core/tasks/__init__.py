"""Whole operations: analyse (here or on Dask), export, transfer annotations, the window's jobs."""
