"""shouwang simulate devices --count N --heartbeat S --alarm-rate R --via mqtt|http [--duration S]

Registers a simulated fleet in the demo city (marked `simulated`) and drives it against a
running server: heartbeats every S seconds per device, R alarms a second across the fleet,
for --duration seconds or until interrupted."""

import signal
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shouwang.core.errors import ApplicationError
from shouwang.devices.fleet_driver import HttpPublisher, MqttPublisher, Publisher, Tally, drive
from shouwang.devices.models import Platform
from shouwang.devices.mqtt.bridge import mqtt_url
from shouwang.devices.services.fleet_register import simulated_fleet_register

REPORT_SECONDS = 5.0


class Command(BaseCommand):
    help = "Simulate a fleet of smart devices against a running server (模拟设备)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["devices"])
        parser.add_argument("--count", type=int, default=100)
        parser.add_argument("--heartbeat", type=float, default=60.0, help="seconds")
        parser.add_argument("--alarm-rate", type=float, default=0.0, help="alarms per second")
        parser.add_argument("--via", choices=["mqtt", "http"], default="mqtt")
        parser.add_argument("--duration", type=float, default=None, help="seconds")
        parser.add_argument(
            "--url",
            default=settings.SHOUWANG_URL,
            help="the server, for --via http",
        )
        parser.add_argument("--mqtt-url", default="", help="default: SHOUWANG_MQTT_URL")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["count"] < 1 or options["heartbeat"] <= 0 or options["alarm_rate"] < 0:
            raise CommandError("--count >= 1, --heartbeat > 0 and --alarm-rate >= 0")
        platform = Platform.MQTT if options["via"] == "mqtt" else Platform.GENERIC
        try:
            fleet = simulated_fleet_register(
                count=options["count"],
                heartbeat_s=max(10, int(options["heartbeat"])),
                platform=platform,
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"registered {len(fleet)} simulated devices (SIM-000000…)")
        tally, stop = Tally(), threading.Event()
        publisher = self._publisher(options, tally)
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        reporter = threading.Thread(target=self._report, args=(tally, stop), daemon=True)
        reporter.start()
        try:
            drive(
                fleet=fleet,
                publisher=publisher,
                heartbeat_s=options["heartbeat"],
                alarm_rate=options["alarm_rate"],
                duration=options["duration"],
                stop=stop,
            )
        finally:
            stop.set()
            publisher.close()
        self._line(tally)

    def _publisher(self, options: dict[str, Any], tally: Tally) -> Publisher:
        if options["via"] == "http":
            return HttpPublisher(options["url"], tally)
        url = options["mqtt_url"] or mqtt_url()
        if not url:
            raise CommandError("--via mqtt needs SHOUWANG_MQTT_URL or --mqtt-url")
        return MqttPublisher(url, tally)

    def _report(self, tally: Tally, stop: threading.Event) -> None:
        while not stop.wait(REPORT_SECONDS):
            self._line(tally)

    def _line(self, tally: Tally) -> None:
        self.stdout.write(
            f"{time.strftime('%H:%M:%S')} heartbeats={tally.heartbeats} alarms={tally.alarms} "
            f"refused(503)={tally.refused} errors={tally.errors}"
        )
