"""Every kind of Guild calendar feed, read by the icalendar package (an independent RFC 5545 parser):
an event's file, a circle's feed, a weekly breakfast across the spring daylight-saving change (whose
dates must stay at 08:00 London time while their UTC times move), a member's personal feed at its
secret address (revoked: 404), and a one-to-one's emailed invitations (REQUEST, then CANCEL with the
same UID and a higher SEQUENCE), read from the .eml files Guild writes, through Python's email parser.

Usage: python3 events.py BASE_URL [MAIL_DIR]
"""
import email
import glob
import os
import time
import json
import sys
import urllib.error
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
# A one-to-one: the organizer asks Marisol, she picks the second time, then cancels.
_, _, raw = request("POST", "/api/v1/tokens", {"email": "marisol@guild.test", "password": "guild-demo-password", "label": "events-check"})
marisol = json.loads(raw)["token"]
soon = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=2)
slots = [(soon + timedelta(hours=h)).isoformat().replace("+00:00", "Z") for h in (0, 3)]
status, _, raw = request("POST", "/api/v1/one-to-ones", {"with": "marisol-ortega", "slots": slots, "minutes": 45,
                                                       "timeZone": "Europe/Paris", "place": "Café; corner, table 2"}, token)
meeting = json.loads(raw)
status, _, raw = request("POST", f"/api/v1/one-to-ones/{meeting['id']}/accept", {"slot": 2}, marisol)
if json.loads(raw)["status"] != "confirmed":
    fail(f"accepting gave {raw!r}")

# Marisol's personal feed: her yes-answers and the one-to-one, at a secret address.
status, _, raw = request("POST", "/api/v1/calendar-feed", None, marisol)
feed_url = json.loads(raw)["url"]
feed_path = feed_url[feed_url.index("/calendar/"):]
_, personal = calendar(feed_path)
mine = [e for e in personal if str(e["UID"]).startswith("one-to-one-" + meeting["id"])]
if len(mine) != 1 or mine[0].decoded("DTSTART").astimezone(timezone.utc) != soon + timedelta(hours=3):
    fail(f"the one-to-one is not in the personal feed at the time picked: {[str(e['SUMMARY']) for e in personal]}")
if str(mine[0]["LOCATION"]) != "Café; corner, table 2":
    fail(f"LOCATION did not round-trip: {mine[0]['LOCATION']!r}")
status, _, raw = request("POST", f"/api/v1/one-to-ones/{meeting['id']}/cancel", None, marisol)
request("DELETE", "/api/v1/calendar-feed", None, marisol)
try:
    request("GET", feed_path)
    fail("a revoked feed still answers")
except urllib.error.HTTPError as error:
    if error.code != 404:
        fail(f"a revoked feed answered {error.code}")

# The invitations as mail clients get them: text/calendar parts with METHOD, one UID, SEQUENCE rising.
invitations = []
if len(sys.argv) > 2:
    for _ in range(60):
        invitations = []
        for path in glob.glob(os.path.join(sys.argv[2], "*.eml")):
            with open(path, "rb") as handle:
                message = email.message_from_binary_file(handle)
            for part in message.walk():
                if part.get_content_type() == "text/calendar":
                    parsed = icalendar.Calendar.from_ical(part.get_payload(decode=True))
                    event = parsed.walk("VEVENT")[0]
                    if str(event["UID"]).startswith("one-to-one-" + meeting["id"]):
                        invitations.append((message["To"], str(parsed["METHOD"]), part.get_param("method"), int(event.get("SEQUENCE", 0))))
        if len(invitations) >= 4:
            break
        time.sleep(0.5)
    methods = sorted((m, s) for _, m, _, s in invitations)
    if methods != [("CANCEL", 1), ("CANCEL", 1), ("REQUEST", 0), ("REQUEST", 0)]:
        fail(f"the one-to-one's invitations were {invitations}")
    if any(m != p for _, m, p, _ in invitations):
        fail(f"a text/calendar part's method parameter differs from its METHOD: {invitations}")

print(f"events check: ok ({len(invitations)} one-to-one invitations read, a personal feed of {len(personal)} events, revoked; {len(demo)} demo events, a weekly breakfast at 08:00 London across the change: UTC {utc_hours})")
