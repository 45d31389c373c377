"""cemlib."""
