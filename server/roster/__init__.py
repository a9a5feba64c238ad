"""Roster import: OneRoster 1.1/1.2 CSV bulk files or one flat CSV, read, checked, synced."""
