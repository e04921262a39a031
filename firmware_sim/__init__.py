"""Simulated gas detectors, emergency buttons and alarm panels.

Stands in for hardware someone else built: it speaks the documented wire protocol
(ARCHITECTURE §4 and §5) with its own MQTT client and never imports `gateway` or
`controlroom`, so it catches their protocol bugs instead of sharing them.
"""
