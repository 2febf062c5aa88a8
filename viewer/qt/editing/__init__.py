"""The analyst's edits in the text, as undoable commands."""
