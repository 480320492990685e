"""Contacts through someone else's parsers and a real mail round trip.

1. vCard both ways through vobject (PyPI): a realistic address book written by vobject (several
   EMAIL and TEL with types, an ORG with a comma, a multi-line NOTE, non-ASCII names, a PHOTO) is
   imported through the API; Guild's exports (3.0 and 4.0) are read back by vobject and compared.
2. A reply through real SMTP into `guild mail receive`: a member emails a contact through the API,
   the outbox delivers it over SMTP (msmtp → aiosmtpd), a reply to its Reply-To goes back through
   the same SMTP server, and the message as delivered is piped into `guild mail receive`; the
   follow-up is then answered. The same message again is refused as a replay.

Usage: python3 contacts.py URL MAILDIR GUILD_BIN DATABASE_URL SMTP_PORT
"""
import json
import mailbox
import os
import smtplib
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from email.message import EmailMessage

import vobject

base, maildir, guild, database_url, smtp_port = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])


def fail(message):
    raise SystemExit(f"contacts check failed: {message}")


def call(method, path, body=None, token=None, content_type="application/json"):
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    headers = {"Content-Type": content_type}
    if token: headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


email = f"cards-{uuid.uuid4().hex[:8]}@example.com"
status, _ = call("POST", "/api/v1/accounts", {"name": "Card Keeper", "email": email, "password": "card keeper 123"})
if status != 201: fail(f"sign-up gave {status}")
status, body = call("POST", "/api/v1/tokens", {"email": email, "password": "card keeper 123"})
token = json.loads(body)["token"]

# 1. vobject writes an address book; Guild imports it
book = []
people = [
    ("Zoë Müller", "Müller, Söhne & Co.", [("zoe@muller.example", "WORK"), ("zoe.home@example.org", "HOME")],
     [("+49 30 1234567", "CELL"), ("030 7654321", "WORK")], "Met at the Wednesday breakfast;\nwants a logo, and a site."),
    ("Bayo Okafor", "Okafor Plumbing", [("bayo@okafor.example", "WORK")], [("07700 900123", "CELL")], ""),
    ("李小龍", "", [("li@example.cn", "INTERNET")], [], "Introduced by a client"),
]
for name, org, emails, phones, note in people:
    card = vobject.vCard()
    card.add("fn").value = name
    parts = name.split(" ")
    card.add("n").value = vobject.vcard.Name(family=parts[-1], given=" ".join(parts[:-1]))
    if org: card.add("org").value = [org]
    for address, kind in emails:
        line = card.add("email"); line.value = address; line.type_param = kind
    for number, kind in phones:
        line = card.add("tel"); line.value = number; line.type_param = kind
    if note: card.add("note").value = note
    photo = card.add("photo"); photo.value = b"\x89PNG fake image bytes"; photo.encoding_param = "b"; photo.type_param = "PNG"
    book.append(card.serialize())
status, body = call("POST", "/api/v1/contacts/import", "".join(book).encode(), token, "text/vcard")
if status != 200: fail(f"import gave {status}: {body[:300]}")
report = json.loads(body)
if report["created"] != 3 or report["problems"]: fail(f"import report {report}")
print(f"vobject's address book imported: {report}")

for version in ["3.0", "4.0"]:
    status, text = call("GET", f"/api/v1/contacts/export.vcf?version={version}", token=token)
    if status != 200: fail(f"export {version} gave {status}")
    cards = {c.fn.value: c for c in vobject.readComponents(text)}
    if set(cards) != {p[0] for p in people}: fail(f"export {version} names {sorted(cards)}")
    for name, org, emails, phones, note in people:
        card = cards[name]
        got_emails = sorted(e.value for e in card.contents.get("email", []))
        if got_emails != sorted(a for a, _ in emails): fail(f"{version} {name} emails {got_emails}")
        got_phones = [t.value.replace("tel:", "") for t in card.contents.get("tel", [])]
        if len(got_phones) != len(phones): fail(f"{version} {name} phones {got_phones}")
        if org and card.org.value[0] != org: fail(f"{version} {name} org {card.org.value}")
        if note and card.note.value != note: fail(f"{version} {name} note {card.note.value!r}")
    print(f"Guild's vCard {version} export read by vobject: {len(cards)} cards, names, addresses, numbers, ORG and NOTE intact")

# 2. an email out through SMTP, its reply back through SMTP into `guild mail receive`
status, body = call("POST", "/api/v1/contacts", {"name": "Replying Rita", "emails": ["rita@reply.example"]}, token)
contact = json.loads(body)["id"]
status, body = call("POST", "/api/v1/followups", {"contactId": contact, "purpose": "Coffee?", "due": time.strftime("%Y-%m-%d")}, token)
follow_up = json.loads(body)["id"]
status, body = call("POST", f"/api/v1/contacts/{contact}/emails", {"subject": "Coffee on Thursday?", "body": "Ten o'clock?", "followUpId": follow_up}, token)
if status != 202: fail(f"send gave {status}: {body[:300]}")


def wait_for(predicate, what):
    for _ in range(60):
        for key, message in mailbox.Maildir(maildir, create=False).items():
            if predicate(message): return key, message
        time.sleep(0.5)
    fail(f"no {what} reached the SMTP server")


_, sent = wait_for(lambda m: m["To"] == "rita@reply.example" and "Coffee on Thursday" in (m["Subject"] or ""), "email to the contact")
reply_to = sent["Reply-To"]
if not reply_to or not reply_to.startswith("reply+"): fail(f"Reply-To is {reply_to!r}")
print(f"sent over SMTP as {sent['From']!r}, Reply-To {reply_to.split('@')[0][:10]}…@{reply_to.split('@')[1]}")

answer = EmailMessage()
answer["From"] = "Replying Rita <rita@reply.example>"
answer["To"] = reply_to
answer["Subject"] = "Re: Coffee on Thursday?"
answer["Message-ID"] = f"<{uuid.uuid4().hex}@reply.example>"
answer["In-Reply-To"] = sent["Message-ID"]
answer["References"] = sent["Message-ID"]
answer.set_content("Ten is perfect, see you there.\n\n> Ten o'clock?\n")
with smtplib.SMTP("127.0.0.1", smtp_port) as smtp:
    smtp.send_message(answer)
key, delivered = wait_for(lambda m: m["Message-ID"] == answer["Message-ID"], "reply")
raw = mailbox.Maildir(maildir, create=False).get_bytes(key)
env = dict(os.environ, DATABASE_URL=database_url)
run = subprocess.run([guild, "mail", "receive"], input=raw, env=env, capture_output=True, timeout=120)
if run.returncode != 0 or b"matched" not in run.stdout: fail(f"mail receive said {run.stdout!r} {run.stderr[-500:]!r}")
print("guild mail receive:", run.stdout.decode().strip().splitlines()[-1])
again = subprocess.run([guild, "mail", "receive"], input=raw, env=env, capture_output=True, timeout=120)
if b"already received" not in again.stdout: fail(f"a replay said {again.stdout!r}")
status, body = call("GET", "/api/v1/followups", token=token)
if any(item["id"] == follow_up for item in json.loads(body)["items"]): fail("the follow-up is still open after the reply")
status, body = call("GET", f"/api/v1/contacts/{contact}", token=token)
if not json.loads(body).get("lastReplyAt"): fail("the contact has no last reply")
print("the reply answered the follow-up and set the contact's last reply; the replay did nothing")
