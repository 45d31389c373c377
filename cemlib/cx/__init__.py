"""cemlib.cx."""
