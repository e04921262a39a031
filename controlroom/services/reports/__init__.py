"""Reports for the estate manager: the monthly report (monthly.py, pure), its loading from the
database (service.py) and its PDF and Excel files (export.py)."""
