"""From the socket to the database: every push format and the MQTT subscriber turn what they
receive into `Reading`s (readings.py); `pipeline.py` commits alarms one by one at once and hands
heartbeats to the bounded, coalescing buffer (heartbeats.py) that a flusher writes in batches."""
