"""Control room: the system of record and the alarm API (ARCHITECTURE §7)."""
