"""Readers of the files planners bring: tables (CSV, Excel), vector files, GeoJSON, and a
fast path for big registers (``register.py``).

Every reader turns a file it cannot use into a :mod:`gis.errors` error naming the file
(and the row, column or feature where it can), never a library's traceback.
"""
