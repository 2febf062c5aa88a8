"""The window's panes: side panel, annotations, review, search, legend, filters, corpus views."""
