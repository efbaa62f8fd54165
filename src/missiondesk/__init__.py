"""Mission Desk: the mission office of a shinobi village, as software."""

__version__ = "0.1.0"
