"""cemlib.data."""
