"""Meters on assets (counters such as hours or km, gauges such as temperature) and their
readings: stored, checked, plotted and projected."""
