"""The language of the village: ranks, shinobi, missions, threats and standing orders (no I/O)."""
