"""Alerts out as OASIS CAP 1.2: the messages (models/cap.py), their XML (xml.py), the feed
(feed.py) and its endpoints (api.py)."""
