"""Every write of the devices app, one transaction each:

- registry.py     device_register, device_secret_rotate, push_subscription_create
- device_import.py devices_import                      — Excel/CSV, all or nothing
                   (rows checked in device_import_check.py; the file read in ../spreadsheet.py)
- fleet_register.py simulated_fleet_register          — the simulated fleet (../fleet_driver.py
                   drives it against a running server)
- heartbeats.py   heartbeats_commit                    — the heartbeat flusher's batches
- alarms.py       alarm_raise                          — one alarm, committed at once
- maintenance.py  maintenance_open/resolve, device_back_online, devices_offline_sweep
- incidents.py    what is open at a premises (called inside the above)
- responses.py    alarm_acknowledge, alarm_mark_false, station_arrive, notices_sweep
- cap.py          cap_alert_issue, cap_alert_cancel
"""
