"""Readers of the files planners bring: tables, registers (fast path for big CSVs)."""
