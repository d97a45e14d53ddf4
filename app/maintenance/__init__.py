"""Maintenance: work orders on assets (their checklists, parts and labour), when mending an
asset stops being worth it, and how reliable assets have been."""
