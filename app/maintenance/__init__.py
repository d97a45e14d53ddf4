"""Maintenance: work orders on assets, their checklists, parts and labour."""
