"""cemlib.stages."""
