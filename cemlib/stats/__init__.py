"""cemlib.stats."""
