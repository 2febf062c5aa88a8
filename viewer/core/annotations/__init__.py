"""The analyst's annotations kept true: anchored to changed text, corrections over
the model, the final view."""
