"""Configuration (settings from the environment) and the timetable derived from it."""
