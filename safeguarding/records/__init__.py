"""Records management: backup and restore (``backup.py``, ``backup_format.py``), the retention
schedule run every day (``retention_schedule.py``, ``retention.py``) and requests for data about
a person under UK GDPR Article 15 (``person_data.py``). Never "SAR" here: in this service "SAR"
is a Safeguarding Adults Review (R44)."""
