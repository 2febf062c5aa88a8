"""Tools for developers: the synthetic benchmark corpus (viewer synth). Not used by the app."""
