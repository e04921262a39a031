"""Reports for the estate manager: the monthly report (monthly.py, pure), its loading from the
database (service.py), its PDF and Excel files (export.py), and the six-monthly satisfaction
survey (survey.py). A package of its own beside alarms/ and services/: the report reads both
(alarm figures and resident services), which neither of them may import from the other."""
