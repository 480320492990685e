"""Two `guild serve` instances on one PostgreSQL: sessions, tokens, search results and the outbox
are shared or kept right, and every email leaves exactly once through real SMTP (msmtp → aiosmtpd).

Usage: python3 instances.py URL_A URL_B MAILDIR
"""
import json
import mailbox
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar

a, b, maildir = sys.argv[1].rstrip("/"), sys.argv[2].rstrip("/"), sys.argv[3]


def fail(message):
    raise SystemExit(f"instances check failed: {message}")


def call(url, data=None, headers=None, opener=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with (opener or urllib.request.build_opener()).open(request) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def api(base, path, body):
    return call(base + path, json.dumps(body).encode(), {"Content-Type": "application/json"})


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# a token made on A works on B
email = f"multi-{uuid.uuid4().hex[:8]}@example.com"
status, _ = api(a, "/api/v1/accounts", {"name": "Multi Instance", "email": email, "password": "multi instance 1"})
if status != 201: fail(f"sign-up on A gave {status}")
status, body = api(a, "/api/v1/tokens", {"email": email, "password": "multi instance 1"})
if status != 201: fail(f"token on A gave {status}")
token = json.loads(body)["token"]
status, body = call(b + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
if status != 200 or email not in body: fail(f"/me on B gave {status}")
print("token from A works on B: ok")

# search results and profiles cached on B are dropped when A changes the directory: B hears of
# it by NOTIFY once A's transaction commits, so allow it a moment, and report how long it took
def put_profile(headline):
    request = urllib.request.Request(a + "/api/v1/me/profile", method="PUT",
                                     data=json.dumps({"niches": [{"name": "local seo"}], "headline": headline}).encode(),
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as response:
        if response.status != 200: fail(f"profile on A gave {response.status}")
        return json.loads(response.read())["slug"]


def on_b_within(path, check, what, seconds=3.0):
    started = time.monotonic()
    while True:
        status, body = call(b + path)
        if status == 200 and check(json.loads(body)):
            return time.monotonic() - started
        if time.monotonic() - started > seconds: fail(f"{what}: B still gave {status} {body[:200]} after {seconds} s")
        time.sleep(0.01)


slug = put_profile("Before the change")
word = "zq" + uuid.uuid4().hex[:10]
search = f"/api/v1/members?q={word}"
for attempt in range(2):  # the second request of each is served from B's caches
    status, body = call(b + search)
    if status != 200 or json.loads(body)["total"] != 0: fail(f"search on B before the edit gave {status} {body[:200]}")
    status, body = call(b + f"/api/v1/members/{slug}")
    if status != 200 or json.loads(body)["headline"] != "Before the change": fail(f"profile on B gave {status} {body[:200]}")
put_profile(f"Ask me about {word}")
took = on_b_within(search, lambda r: r["total"] == 1, "search after the edit on A")
took_profile = on_b_within(f"/api/v1/members/{slug}", lambda r: r["headline"] == f"Ask me about {word}", "profile after the edit on A")
print(f"caches on B follow an edit on A: ok (search {took * 1000:.0f} ms, profile {took_profile * 1000:.0f} ms after A answered)")

# a browser session started on A is valid on B
jar = CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
_, page = call(a + "/signin", opener=opener)
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
form = urllib.parse.urlencode({"csrf": csrf, "email": email, "password": "multi instance 1"}).encode()
status, _ = call(a + "/signin", form, {"Content-Type": "application/x-www-form-urlencoded"}, opener)
if status != 303: fail(f"sign-in on A gave {status}")
session = next(c.value for c in jar if c.name == "guild_session")
status, page = call(b + "/settings", headers={"Cookie": f"guild_session={session}"}, opener=urllib.request.build_opener(NoRedirect))
if status != 200 or email not in page: fail(f"settings on B with A's session gave {status}")
print("session from A works on B: ok")

# reset emails asked on both instances are each delivered once, by whichever instance claims them
people = []
for index in range(6):
    person = f"mail-{index}-{uuid.uuid4().hex[:6]}@example.com"
    api(a, "/api/v1/accounts", {"name": f"Mail {index}", "email": person, "password": "mail person 123"})
    people.append(person)
for index, person in enumerate(people):
    base = a if index % 2 == 0 else b
    _, page = call(base + "/password/forgot", opener=opener)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf": csrf, "email": person}).encode()
    status, _ = call(base + "/password/forgot", form, {"Content-Type": "application/x-www-form-urlencoded"}, opener)
    if status != 303: fail(f"forgot password gave {status}")

deadline = time.time() + 60
while time.time() < deadline:
    messages = list(mailbox.Maildir(maildir, create=True))
    recipients = [m["To"] for m in messages]
    if all(p in recipients for p in people):
        break
    time.sleep(1)
else:
    fail(f"only {len(recipients)} of {len(people)} emails arrived over SMTP")
time.sleep(5)  # give a duplicate time to show up
recipients = [m["To"] for m in mailbox.Maildir(maildir, create=True)]
for person in people:
    if recipients.count(person) != 1: fail(f"{person} got {recipients.count(person)} emails")
message = next(m for m in mailbox.Maildir(maildir, create=True) if m["To"] == people[0])
link = re.search(r"(http\S+/password/reset/\S+)", message.get_payload(decode=True).decode()).group(1)
status, page = call(link)
if status != 200 or "Choose a new password" not in page: fail(f"reset link from the email gave {status}")
print(f"{len(people)} emails delivered once each through SMTP, link works: ok")

# referral notifications made on either instance are emailed once each, carry RFC 8058 one-click
# unsubscribe, and a one-click POST to the other instance stops that kind for good
def member(name, niche):
    address = f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.com"
    api(a, "/api/v1/accounts", {"name": name, "email": address, "password": "referral person 1"})
    _, body = api(a, "/api/v1/tokens", {"email": address, "password": "referral person 1"})
    bearer = json.loads(body)["token"]
    request = urllib.request.Request(a + "/api/v1/me/profile", method="PUT",
                                     data=json.dumps({"niches": [{"name": niche}], "headline": name}).encode(),
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {bearer}"})
    with urllib.request.urlopen(request) as response:
        return address, bearer, json.loads(response.read())["slug"]


giver_mail, giver_token, _ = member("Gina", "web design")
receiver_mail, _, receiver_slug = member("Rob", "bookkeeping")


def refer(base):
    body = {"to": receiver_slug, "clientName": "Clara Client", "clientEmail": "clara@client.example",
            "need": "Books before tax season", "urgency": "this_week", "consent": True}
    status, text = call(base + "/api/v1/referrals", json.dumps(body).encode(),
                        {"Content-Type": "application/json", "Authorization": f"Bearer {giver_token}"})
    if status != 201: fail(f"referral on {base} gave {status} {text[:200]}")


def mails_to(address):
    return [m for m in mailbox.Maildir(maildir, create=True) if m["To"] == address]


refer(a)
refer(b)
deadline = time.time() + 60
while len(mails_to(receiver_mail)) < 2 and time.time() < deadline:
    time.sleep(0.5)
time.sleep(5)  # give a duplicate time to show up
received = mails_to(receiver_mail)
if len(received) != 2: fail(f"the receiver got {len(received)} referral emails, not 2")
if any("Clara" in m.as_string() for m in received): fail("a referral email names the client")
unsubscribe = received[0]["List-Unsubscribe"]
if not unsubscribe or received[0]["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click":
    fail(f"no one-click unsubscribe headers: {unsubscribe}")
path = urllib.parse.urlparse(unsubscribe.strip("<>")).path
status, _ = call(b + path, b"List-Unsubscribe=One-Click", {"Content-Type": "application/x-www-form-urlencoded"})
if status != 200: fail(f"one-click unsubscribe on B gave {status}")
refer(a)
time.sleep(6)
if len(mails_to(receiver_mail)) != 2: fail("an email was sent after the one-click unsubscribe")
print("referral emails: once each across instances, no client named, one-click unsubscribe honoured: ok")
