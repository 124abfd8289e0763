"""MQTT, when SHOUWANG_MQTT_URL is set: the uplink subscriber (events and heartbeats on separate
connections, so back-pressure on heartbeats never holds up an alarm) and the downlink commands.
Topics and payloads: topics.py."""
