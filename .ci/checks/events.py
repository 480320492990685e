"""Every kind of Guild calendar feed, read by the icalendar package (an independent RFC 5545 parser):
an event's file, a circle's feed, and a weekly breakfast across the spring daylight-saving change,
whose dates must stay at 08:00 London time while their UTC times move.

Usage: python3 events.py BASE_URL
"""
import json
import sys
import urllib.request
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrulestr

base = sys.argv[1].rstrip("/")


def fail(message):
    raise SystemExit(f"events check failed: {message}")


def request(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as response:
        return response.status, response.headers, response.read()


def calendar(path):
    status, headers, raw = request("GET", path)
    if status != 200 or not headers.get("Content-Type", "").startswith("text/calendar"):
        fail(f"{path}: {status} {headers.get('Content-Type')}")
    if b"\n" in raw.replace(b"\r\n", b""):
        fail(f"{path}: a line ends without CR")
    for line in raw.split(b"\r\n"):
        if len(line) > 75:
            fail(f"{path}: a line of {len(line)} octets")
    parsed = icalendar.Calendar.from_ical(raw)
    events = parsed.walk("VEVENT")
    if not events:
        fail(f"{path}: no VEVENT")
    for event in events:
        for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            if prop not in event:
                fail(f"{path}: a VEVENT without {prop}")
    return parsed, events


_, _, raw = request("POST", "/api/v1/tokens", {"email": "organizer@guild.test", "password": "guild-demo-password", "label": "events-check"})
token = json.loads(raw)["token"]

# The demo's weekly morning: a circle feed with a recurring event in Chicago time.
_, demo = calendar("/circles/austin-wednesday-mornings.ics")
if not any("RRULE" in event for event in demo):
    fail("the demo circle's feed has no recurring event")

# A weekly breakfast from 17 March 2027, across the change of 28 March, with text that needs escaping.
status, _, raw = request("POST", "/api/v1/circles", {"name": "ICS Check Circle", "city": "London"}, token)
slug = json.loads(raw)["slug"]
title = "Breakfast; coffee, and a very long title that will need folding — café au lait for everyone"
status, _, raw = request("POST", "/api/v1/events", {
    "title": title, "circle": slug, "start": "2027-03-17T08:00:00Z", "timeZone": "Europe/London", "minutes": 90,
    "place": "The Corner Café, 1 High St", "recurrence": {"frequency": "weekly", "days": ["WE"], "count": 4}}, token)
event_id = json.loads(raw)["id"]

parsed, events = calendar(f"/circles/{slug}.ics")
if not parsed.walk("VTIMEZONE"):
    fail("no VTIMEZONE for Europe/London")
breakfast = [e for e in events if str(e["SUMMARY"]) == title]
if len(breakfast) != 1:
    fail(f"the breakfast is in the circle feed {len(breakfast)} times (the summary did not round-trip?)")
breakfast = breakfast[0]
start = breakfast.decoded("DTSTART")
if start.tzinfo is None or start.hour != 8:
    fail(f"DTSTART is {start!r}")
rule = breakfast["RRULE"].to_ical().decode()
london = ZoneInfo("Europe/London")
dates = list(rrulestr(rule, dtstart=start.astimezone(london).replace(tzinfo=None)))
local = [d.replace(tzinfo=london) for d in dates]
if [d.hour for d in local] != [8, 8, 8, 8]:
    fail(f"occurrences are not at 08:00 London: {local}")
utc_hours = [d.astimezone(timezone.utc).hour for d in local]
if utc_hours != [8, 8, 7, 7]:
    fail(f"UTC hours across the change are {utc_hours}, expected [8, 8, 7, 7]")

_, single = calendar(f"/events/{event_id}.ics")
if "RRULE" in single[0] or str(single[0]["SUMMARY"]) != title:
    fail("an event's own file should be that one date")
print(f"events check: ok ({len(demo)} demo events, a weekly breakfast at 08:00 London across the change: UTC {utc_hours})")
