"""tular — tracks how skills spread through train-the-trainer programs."""

__version__ = "0.1.0"
