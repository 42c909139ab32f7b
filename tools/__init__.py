"""Developer tools run from the project's root: ``python -m tools.local_up``."""
