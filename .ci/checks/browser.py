"""Signs up, out, in and changes the password in headless Chromium, at phone and desktop width.

Usage: GUILD_MAIL_DIR=… GUILD_BIN=… GUILD_DB=… python3 browser.py BASE_URL ARTIFACT_DIR
"""
import email
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

base, artifacts = sys.argv[1].rstrip("/"), sys.argv[2]
# For the contacts journey: where the server writes its mail, and how to run `guild mail receive` on its database.
mail_dir, guild_bin, guild_db = os.environ.get("GUILD_MAIL_DIR", ""), os.environ.get("GUILD_BIN", ""), os.environ.get("GUILD_DB", "")
os.makedirs(artifacts, exist_ok=True)


def browser(width):
    options = Options()
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},900"]:
        options.add_argument(arg)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    # Desktop Chromium will not make a window narrower than 500px: emulate the phone's viewport instead.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 500})
    return driver


def fill(driver, **fields):
    for name, value in fields.items():
        box = driver.find_element(By.NAME, name)
        box.clear()
        box.send_keys(value)


def submit(driver, action):
    driver.find_element(By.CSS_SELECTOR, f'form[action="{action}"] button[type=submit]').click()


def expect(condition, message):
    if not condition:
        raise SystemExit(f"browser check failed: {message}")


def page_shows(driver, text, timeout=10):
    """Waits for the page after a form post to contain `text`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text in driver.page_source:
            return True
        time.sleep(0.1)
    return False


def shot(driver, name):
    path = os.path.join(artifacts, f"{name}.png")
    driver.save_screenshot(path)
    print(f"  screenshot {path}")


def no_horizontal_scroll(driver, page):
    overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    expect(overflow <= 1, f"{page} scrolls sideways by {overflow}px")


def directory(driver, width, marker):
    """Fills the profile with two niches, then finds the member through search and the niche page."""
    driver.get(f"{base}/profile/edit")
    no_horizontal_scroll(driver, "profile form")
    fill(driver, business=f"Studio {marker}", headline="Booking systems for yoga studios",
         niche1="Web Application Developers", niche2="yoga instruction", city="Porto, PT",
         bio="I build **booking systems**. <script>alert(1)</script>")
    driver.find_element(By.CSS_SELECTOR, 'select[name="level2"] option[value="learning"]').click()
    shot(driver, f"profile-edit-{width}")
    submit(driver, "/profile/edit")
    expect(page_shows(driver, "Profile saved"), "profile not saved")
    expect("<script>alert" not in driver.page_source and "&lt;script&gt;" in driver.page_source, "bio not escaped")
    profile_url = driver.current_url
    no_horizontal_scroll(driver, "profile page")
    shot(driver, f"profile-{width}")
    driver.get(f"{base}/directory")
    fill(driver, q=f"booking {marker}")
    driver.find_element(By.CSS_SELECTOR, 'form.search button[type=submit]').click()
    expect(page_shows(driver, f"Browser Person {marker}"), "search does not find the new member")
    no_horizontal_scroll(driver, "search results")
    shot(driver, f"search-{width}")
    driver.get(f"{base}/n/web-application-development")
    expect(page_shows(driver, f"Browser Person {marker}"), "the niche page does not list the new member")
    no_horizontal_scroll(driver, "niche page")
    shot(driver, f"niche-{width}")
    driver.get(profile_url)


def wait_for_semantic_matching(timeout=300):
    """The demo's profile texts are embedded in the background after start; wait until they are."""
    import json, urllib.request
    deadline = time.time() + timeout
    while time.time() < deadline:
        request = urllib.request.Request(f"{base}/api/v1/matches", method="POST", headers={"Content-Type": "application/json"},
                                         data=json.dumps({"need": HOUSE_NEED, "city": "Austin", "limit": 3}).encode())
        reply = json.load(urllib.request.urlopen(request))
        if reply["semantic"] and reply["matches"] and reply["matches"][0]["member"]["slug"] == "rae-lindqvist":
            return
        time.sleep(2)
    raise SystemExit(f"browser check failed: semantic matching never put Rae Lindqvist first: {reply}")


HOUSE_NEED = "We're selling our house next month and want it to look amazing online, ideally with shots from the air"


def find_help(width):
    """A visitor describes a need on /find and sees the right member first, with reasons."""
    driver = browser(width)
    try:
        driver.get(f"{base}/find")
        no_horizontal_scroll(driver, "find page")
        fill(driver, need=HOUSE_NEED, city="Austin")
        submit(driver, "/find")
        expect(page_shows(driver, "who could help"), "no results on /find")
        first = driver.find_element(By.CSS_SELECTOR, "ol.matches li.member h3").text
        expect(first == "Rae Lindqvist", f"the first match is {first}")
        reasons = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "ol.matches li.member:first-child .reasons li")]
        expect(any(r.startswith("Works in") or r.startswith("“") for r in reasons), f"no reason names a niche or a sentence: {reasons}")
        no_horizontal_scroll(driver, "find results")
        shot(driver, f"find-{width}")
        print(f"find at {width}px: ok ({first}: {reasons[:2]})")
    finally:
        driver.quit()


def sign_in(driver, email, password="guild-demo-password"):
    driver.get(f"{base}/signin")
    fill(driver, email=email, password=password)
    submit(driver, "/signin")
    expect(page_shows(driver, "Sign out"), f"{email} could not sign in")


def referral_journey(width):
    """Marisol finds an expert through /find and refers a client; Rae accepts and marks it won with a
    value; Marisol sees the credit on the referral and a notification."""
    marker = uuid.uuid4().hex[:6]
    client = f"Client {marker}"
    giver = browser(width)
    try:
        sign_in(giver, "marisol@guild.test")
        giver.get(f"{base}/notifications")
        wins_before = giver.page_source.count("Rae Lindqvist won the client you referred")
        giver.get(f"{base}/find")
        fill(giver, need=HOUSE_NEED, city="Austin")
        submit(giver, "/find")
        expect(page_shows(giver, "who could help"), "no results on /find for a member")
        giver.find_element(By.CSS_SELECTOR, 'form[action="/m/rae-lindqvist/refer"] button[type=submit]').click()
        expect(page_shows(giver, "Refer a client to Rae Lindqvist"), "the refer form did not open from /find")
        expect(HOUSE_NEED[:20] in giver.page_source, "the need was not carried into the refer form")
        no_horizontal_scroll(giver, "refer form")
        fill(giver, clientName=client, clientEmail=f"{marker}@client.example")
        giver.find_element(By.ID, "consent").click()
        shot(giver, f"refer-{width}")
        submit(giver, "/m/rae-lindqvist/refer")
        expect(page_shows(giver, "Referral sent to Rae Lindqvist"), "the referral was not sent")
        referral_url = giver.current_url
    finally:
        giver.quit()
    receiver = browser(width)
    try:
        sign_in(receiver, "rae@guild.test")
        expect("unread" in receiver.page_source, "no unread count in the navigation")
        receiver.get(referral_url)
        expect(page_shows(receiver, client), "the receiver does not see the client")
        for step in ("accepted", "contacted"):
            receiver.find_element(By.CSS_SELECTOR, f'input[name="to"][value="{step}"]').click()
            submit(receiver, f"{referral_url[len(base):]}/transitions")
            label = {"accepted": "accepted", "contacted": "client contacted"}[step]
            expect(page_shows(receiver, f"The referral is now {label}."), f"step {step} not saved")
        receiver.find_element(By.CSS_SELECTOR, 'input[name="to"][value="won"]').click()
        fill(receiver, amount="2400", currency="usd")
        no_horizontal_scroll(receiver, "referral page")
        shot(receiver, f"referral-receiver-{width}")
        submit(receiver, f"{referral_url[len(base):]}/transitions")
        expect(page_shows(receiver, "USD 2,400.00"), "the won value is not shown")
    finally:
        receiver.quit()
    giver = browser(width)
    try:
        sign_in(giver, "marisol@guild.test")
        giver.get(f"{base}/notifications")
        wins = giver.page_source.count("Rae Lindqvist won the client you referred")
        expect(wins == wins_before + 1, f"the giver was not told of the win ({wins_before} → {wins} notices)")
        shot(giver, f"notifications-{width}")
        giver.get(referral_url)
        expect(page_shows(giver, "USD 2,400.00") and "Won" in giver.page_source, "the giver does not see the credit")
        shot(giver, f"referral-giver-{width}")
        praise = f"Rae made {client}'s house look like spring."
        fill(giver, text=praise)
        submit(giver, f"{referral_url[len(base):]}/testimonial")
        expect(page_shows(giver, "the testimonial shows on their profile"), "the testimonial was not published")
        giver.get(f"{base}/m/rae-lindqvist")
        expect(page_shows(giver, praise.replace("'", "&#39;")) or praise in giver.page_source, "the testimonial is not on Rae's profile")
        expect("from a referral in Real estate photography" in giver.page_source, "the testimonial has no context")
        no_horizontal_scroll(giver, "profile with testimonials")
        shot(giver, f"profile-testimonial-{width}")
        print(f"referral journey at {width}px: ok")
    finally:
        giver.quit()


def requests_journey(width):
    """Dev posts a request on the board; Marisol suggests Rae with a reason; Dev refers his client
    to Rae from that answer, and the request shows as filled."""
    marker = uuid.uuid4().hex[:6]
    title = f"A photographer for listing photos {marker}"
    poster = browser(width)
    try:
        sign_in(poster, "dev@guild.test")
        poster.get(f"{base}/requests/new")
        no_horizontal_scroll(poster, "request form")
        fill(poster, title=title, niches="real estate photography", city="Austin")
        submit(poster, "/requests")
        expect(page_shows(poster, "Your request is on the board"), "the request was not posted")
        request_url = poster.current_url
    finally:
        poster.quit()
    helper = browser(width)
    try:
        sign_in(helper, "marisol@guild.test")
        helper.get(f"{base}/requests")
        expect(page_shows(helper, title), "the request is not on the board")
        no_horizontal_scroll(helper, "requests board")
        shot(helper, f"requests-board-{width}")
        helper.get(request_url)
        fill(helper, member="rae-lindqvist", reason="Rae shot three listings for my clients; all sold fast.")
        submit(helper, f"{request_url[len(base):]}/answers")
        expect(page_shows(helper, "will see your suggestion"), "the suggestion was not saved")
    finally:
        helper.quit()
    poster = browser(width)
    try:
        sign_in(poster, "dev@guild.test")
        poster.get(request_url)
        expect(page_shows(poster, "all sold fast"), "the poster does not see the answer")
        no_horizontal_scroll(poster, "request page")
        shot(poster, f"request-{width}")
        poster.find_element(By.PARTIAL_LINK_TEXT, "Refer my client to Rae Lindqvist").click()
        expect(page_shows(poster, "Answering your request"), "the refer form does not carry the request")
        fill(poster, clientName=f"Client {marker}", clientEmail=f"{marker}@client.example")
        poster.find_element(By.ID, "consent").click()
        submit(poster, "/m/rae-lindqvist/refer")
        expect(page_shows(poster, "Referral sent to Rae Lindqvist"), "the referral from the request was not sent")
        poster.get(request_url)
        expect(page_shows(poster, "Filled") and "Picked" in poster.page_source, "the request is not filled")
        print(f"requests journey at {width}px: ok")
    finally:
        poster.quit()


def knowledge_journey(width):
    """Marisol shares a tip tagged with two niches; Dev comments on it and marks it helpful; a visitor
    finds it by searching, and a feed reader finds it in one of its niches' feeds."""
    marker = uuid.uuid4().hex[:6]
    title = f"Answer every review within a day {marker}"
    writer = browser(width)
    try:
        sign_in(writer, "marisol@guild.test")
        writer.get(f"{base}/posts/new")
        no_horizontal_scroll(writer, "post form")
        fill(writer, title=title, body=f"Owners who answer reviews within a day get more bookings. Tag {marker}.",
             niches="Restaurant marketing, Local SEO")
        submit(writer, "/posts")
        expect(page_shows(writer, "Posted."), "the tip was not posted")
        post_url = writer.current_url
        post_path = post_url[len(base):]
    finally:
        writer.quit()
    reader = browser(width)
    try:
        sign_in(reader, "dev@guild.test")
        reader.get(post_url)
        fill(reader, body=f"Tried it for a client's café: two more tables a night. {marker}")
        submit(reader, f"{post_path}/comments")
        expect(page_shows(reader, "two more tables a night"), "the comment is not on the post")
        submit(reader, f"{post_path}/helpful")
        expect(page_shows(reader, "Helpful ✓ (1)"), "the helpful mark did not count")
        no_horizontal_scroll(reader, "post page")
        shot(reader, f"post-{width}")
    finally:
        reader.quit()
    visitor = browser(width)
    try:
        visitor.get(f"{base}/posts")
        fill(visitor, q=f"reviews {marker}")
        visitor.find_element(By.CSS_SELECTOR, 'form[action="/posts"] button[type=submit]').click()
        expect(page_shows(visitor, title), "search does not find the tip")
        no_horizontal_scroll(visitor, "knowledge search")
        shot(visitor, f"posts-search-{width}")
        visitor.get(f"{base}/feeds/niches/local-seo.atom")
        expect(page_shows(visitor, title), "the niche feed does not carry the tip")
        print(f"knowledge journey at {width}px: ok")
    finally:
        visitor.quit()


def chart_counts(driver):
    """(sent, answered) from the Today page's chart summary."""
    driver.get(f"{base}/today")
    text = driver.find_element(By.ID, "chart-heading").find_element(By.XPATH, "..").text
    match = re.search(r"(\d+) emails sent, (\d+) answered", text)
    expect(match, f"no chart figures on Today: {text[:200]}")
    return int(match.group(1)), int(match.group(2))


def contacts_journey(width):
    """Dev adds a card one-handed at 375 px with a follow-up, emails the contact from the follow-up,
    the contact's reply is fed to `guild mail receive`, and the follow-up shows answered and the
    chart on Today moves."""
    marker = uuid.uuid4().hex[:6]
    driver = browser(width)
    try:
        sign_in(driver, "dev@guild.test")
        sent_before, answered_before = chart_counts(driver)
        driver.get(f"{base}/contacts/new")
        no_horizontal_scroll(driver, "quick add")
        expect(driver.find_element(By.NAME, "emails").get_attribute("type") == "email", "the email box is not an email input")
        expect(driver.find_element(By.NAME, "phones").get_attribute("type") == "tel", "the phone box is not a tel input")
        for name in ["name", "emails", "phones", "met"]:
            box = driver.find_element(By.NAME, name)
            label = driver.find_element(By.CSS_SELECTOR, f'label[for="{box.get_attribute("id")}"]')
            expect(label.text.strip(), f"quick add: {name} has no label")
        fill(driver, name=f"Nia Mensah {marker}", emails=f"nia-{marker}@mensah.example", phones="+1 512 555 0199",
             met="Wednesday networking morning", followUpPurpose=f"Send the proposal {marker}")
        shot(driver, f"contacts-quick-add-{width}")
        submit(driver, "/contacts?quick=1")
        expect(page_shows(driver, f"Saved Nia Mensah {marker}"), "the card was not saved")
        driver.get(f"{base}/contacts?q={marker}")
        driver.find_element(By.PARTIAL_LINK_TEXT, f"Nia Mensah {marker}").click()
        expect(page_shows(driver, f"Send the proposal {marker}"), "the follow-up is not on the contact's page")
        contact_url = driver.current_url
        driver.find_element(By.CSS_SELECTOR, 'a[href*="/email?followup="]').click()
        fill(driver, body=f"Hello Nia, here is the proposal we talked about. {marker}")
        no_horizontal_scroll(driver, "email form")
        driver.find_element(By.CSS_SELECTOR, 'form[action$="/email"] button[type=submit]').click()
        expect(page_shows(driver, "Sent."), "the email was not sent")
        # the outbox writes it to the mail directory within a few seconds
        sent = None
        for _ in range(60):
            for name in os.listdir(mail_dir) if os.path.isdir(mail_dir) else []:
                with open(os.path.join(mail_dir, name), "rb") as handle:
                    message = email.message_from_bytes(handle.read())
                if message["To"] == f"nia-{marker}@mensah.example":
                    sent = message
            if sent: break
            time.sleep(0.5)
        expect(sent is not None, "the email never left the outbox")
        expect(sent["Reply-To"].startswith("reply+"), f"Reply-To is {sent['Reply-To']}")
        reply = (f"From: Nia Mensah <nia-{marker}@mensah.example>\r\nTo: {sent['Reply-To']}\r\nSubject: Re: {sent['Subject']}\r\n"
                 f"Message-ID: <{marker}@mensah.example>\r\nIn-Reply-To: {sent['Message-ID']}\r\n\r\nLooks good, let's start Monday.\r\n")
        run = subprocess.run([guild_bin, "mail", "receive"], input=reply.encode(), env=dict(os.environ, DATABASE_URL=guild_db),
                             capture_output=True, timeout=120)
        expect(b"matched" in run.stdout, f"mail receive said {run.stdout!r} {run.stderr[-300:]!r}")
        driver.get(contact_url)
        expect(page_shows(driver, "answered"), "the follow-up does not show answered")
        expect(page_shows(driver, "Looks good, let"), "the reply is not in the contact's touches")
        shot(driver, f"contact-answered-{width}")
        sent_after, answered_after = chart_counts(driver)
        expect((sent_after, answered_after) == (sent_before + 1, answered_before + 1),
               f"the chart went from {(sent_before, answered_before)} to {(sent_after, answered_after)}")
        no_horizontal_scroll(driver, "today")
        shot(driver, f"today-{width}")
        print(f"contacts journey at {width}px: ok (chart {sent_before}/{answered_before} → {sent_after}/{answered_after})")
    finally:
        driver.quit()


def events_journey(width):
    """Olu starts a circle and plans an event that began ten minutes ago; Marisol answers yes and
    checks in with the venue's code; Olu checks himself in at the door list; Marisol sees who was
    there and keeps Olu as a contact met at the event."""
    marker = uuid.uuid4().hex[:6]
    organizer = browser(width)
    try:
        sign_in(organizer, "organizer@guild.test")
        organizer.get(f"{base}/circles/new")
        no_horizontal_scroll(organizer, "new circle")
        fill(organizer, name=f"Browser Circle {marker}", city="Austin, TX", description="Coffee and **referrals**.")
        submit(organizer, "/circles")
        expect(page_shows(organizer, f"Browser Circle {marker} is open"), "the circle was not created")
        circle_url = organizer.current_url
        organizer.find_element(By.PARTIAL_LINK_TEXT, "Plan an event").click()
        expect(page_shows(organizer, "Plan an event"), "the event form did not open")
        for name in ["title", "start", "minutes", "timeZone", "place", "capacity", "description"]:
            box = organizer.find_element(By.NAME, name)
            expect(organizer.find_elements(By.CSS_SELECTOR, f'label[for="{box.get_attribute("id")}"]'), f"event form: {name} has no label")
        started = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() - 600))
        fill(organizer, title=f"Browser breakfast {marker}", minutes="120", timeZone="UTC", place="Library, room 2", capacity="10")
        organizer.execute_script("arguments[0].value = arguments[1]", organizer.find_element(By.NAME, "start"), started)
        no_horizontal_scroll(organizer, "event form")
        shot(organizer, f"event-form-{width}")
        submit(organizer, "/events")
        expect(page_shows(organizer, "is planned"), "the event was not planned")
        event_url = organizer.current_url
        event_path = event_url[len(base):]
        organizer.get(f"{event_url}/checkin")
        code = organizer.find_element(By.CSS_SELECTOR, ".checkin-code").text.strip()
        expect(len(code) == 6, f"no check-in code on the door list: {code!r}")
    finally:
        organizer.quit()
    attendee = browser(width)
    try:
        sign_in(attendee, "marisol@guild.test")
        attendee.get(event_url)
        expect(f"Browser breakfast {marker}" in attendee.title or page_shows(attendee, f"Browser breakfast {marker}"), "the event page did not open")
        expect(attendee.find_elements(By.CSS_SELECTOR, 'meta[property="og:title"]'), "the event page has no link-preview title")
        attendee.find_element(By.CSS_SELECTOR, f'form[action="{event_path}/rsvp"] button[value="yes"]').click()
        expect(page_shows(attendee, "You are going"), "the RSVP was not saved")
        fill(attendee, code=code.lower())
        submit(attendee, f"{event_path}/checkins")
        expect(page_shows(attendee, "You are checked in"), "self check-in failed")
        no_horizontal_scroll(attendee, "event page")
        shot(attendee, f"event-attendee-{width}")
    finally:
        attendee.quit()
    organizer = browser(width)
    try:
        sign_in(organizer, "organizer@guild.test")
        organizer.get(event_url)
        organizer.find_element(By.CSS_SELECTOR, f'form[action="{event_path}/rsvp"] button[value="yes"]').click()
        expect(page_shows(organizer, "You are going"), "the organizer's RSVP was not saved")
        organizer.get(f"{event_url}/checkin")
        no_horizontal_scroll(organizer, "check-in list")
        buttons = [b for b in organizer.find_elements(By.CSS_SELECTOR, "button.checkin-button") if "Olu Organizer" in b.text]
        expect(buttons, "the organizer is not on the door list")
        expect(buttons[0].size["height"] >= 44, f"the check-in button is {buttons[0].size['height']}px tall")
        buttons[0].click()
        expect(page_shows(organizer, "2 of 2 checked in"), "the door list did not count the check-in")
        shot(organizer, f"event-checkin-{width}")
    finally:
        organizer.quit()
    attendee = browser(width)
    try:
        sign_in(attendee, "marisol@guild.test")
        attendee.get(event_url)
        expect(page_shows(attendee, "Who was there") and "Olu Organizer" in attendee.page_source, "who was there does not show the organizer")
        shot(attendee, f"event-who-was-there-{width}")
        attendee.find_element(By.CSS_SELECTOR, 'form[action*="/attendees/"] button[type=submit]').click()
        expect(page_shows(attendee, "Kept as a contact"), "the contact was not kept")
        expect(f"Browser breakfast {marker}" in attendee.page_source, "the contact does not say where we met")
        no_horizontal_scroll(attendee, "contact from an event")
        shot(attendee, f"event-contact-{width}")
        # Browsers download calendar files rather than show them: fetch the circle's feed directly.
        with urllib.request.urlopen(circle_url + ".ics", timeout=30) as feed:
            expect(b"BEGIN:VCALENDAR" in feed.read(), "the circle's calendar feed did not open")
        # One tap from who was there: ask Olu for a one-to-one, offering two times.
        attendee.get(event_url)
        attendee.find_element(By.PARTIAL_LINK_TEXT, "Ask for a one-to-one").click()
        expect(page_shows(attendee, "for a one-to-one"), "the one-to-one form did not open")
        for name in ["slot1", "slot2", "slot3", "minutes", "timeZone", "place", "note"]:
            box = attendee.find_element(By.NAME, name)
            expect(attendee.find_elements(By.CSS_SELECTOR, f'label[for="{box.get_attribute("id")}"]'), f"one-to-one form: {name} has no label")
        for name, hours in [("slot1", 26), ("slot2", 50)]:
            attendee.execute_script("arguments[0].value = arguments[1]", attendee.find_element(By.NAME, name),
                                    time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() + hours * 3600)))
        fill(attendee, place="Library café", note=f"Swap referrals? {marker}")
        no_horizontal_scroll(attendee, "one-to-one form")
        shot(attendee, f"one-to-one-form-{width}")
        submit(attendee, "/one-to-ones")
        expect(page_shows(attendee, "Asked."), "the one-to-one was not asked for")
        meeting_url = attendee.current_url
    finally:
        attendee.quit()
    organizer = browser(width)
    try:
        sign_in(organizer, "organizer@guild.test")
        organizer.get(meeting_url)
        expect(page_shows(organizer, "Pick a time"), "the organizer cannot pick a time")
        organizer.find_element(By.CSS_SELECTOR, 'input[name="slot"][value="2"]').click()
        organizer.find_element(By.CSS_SELECTOR, 'form[action$="/accept"] button[type=submit]').click()
        expect(page_shows(organizer, "Confirmed"), "the one-to-one was not confirmed")
        expect(organizer.find_elements(By.PARTIAL_LINK_TEXT, "Add to my calendar"), "no calendar download on a confirmed one-to-one")
        no_horizontal_scroll(organizer, "one-to-one page")
        shot(organizer, f"one-to-one-confirmed-{width}")
        print(f"events journey at {width}px: ok")
    finally:
        organizer.quit()


def journey(width):
    driver = browser(width)
    marker = uuid.uuid4().hex[:8]
    email = f"browser-{marker}@example.com"
    try:
        driver.get(f"{base}/signup")
        no_horizontal_scroll(driver, "sign-up page")
        shot(driver, f"signup-{width}")
        # a mistake first: the form shows what is wrong and keeps the values
        fill(driver, name=f"Browser Person {marker}", email="not-an-email", password="0123456789")
        submit(driver, "/signup")
        expect(page_shows(driver, "valid email address"), "no field error for a bad email")
        shot(driver, f"signup-error-{width}")
        fill(driver, email=email, password="first password 1")
        submit(driver, "/signup")
        expect(page_shows(driver, "Welcome to Guild"), "no welcome after sign-up")
        shot(driver, f"home-signed-in-{width}")
        directory(driver, width, marker)
        submit(driver, "/signout")
        expect(page_shows(driver, "You are signed out"), "sign-out did not confirm")
        driver.get(f"{base}/signin")
        fill(driver, email=email, password="first password 1")
        submit(driver, "/signin")
        expect(page_shows(driver, "Sign out"), "sign-in did not sign in")
        driver.get(f"{base}/settings")
        expect(page_shows(driver, email), "settings do not show the account")
        no_horizontal_scroll(driver, "settings page")
        shot(driver, f"settings-{width}")
        fill(driver, current_password="first password 1", new_password="second password 2")
        submit(driver, "/settings/password")
        expect(page_shows(driver, "password is changed"), "password change did not confirm")
        submit(driver, "/signout")
        expect(page_shows(driver, "You are signed out"), "second sign-out did not confirm")
        driver.get(f"{base}/signin")
        fill(driver, email=email, password="first password 1")
        submit(driver, "/signin")
        expect(page_shows(driver, "password is wrong"), "old password still works")
        fill(driver, email=email, password="second password 2")
        submit(driver, "/signin")
        expect(page_shows(driver, "Sign out"), "new password does not sign in")
        shot(driver, f"signed-in-again-{width}")
        cookie = driver.get_cookie("guild_session")
        expect(cookie and cookie["httpOnly"] and cookie["sameSite"] == "Lax", f"session cookie flags: {cookie}")
        print(f"browser journey at {width}px: ok")
    finally:
        driver.quit()


wait_for_semantic_matching()
for width in (375, 1280):
    find_help(width)
    referral_journey(width)
    requests_journey(width)
    knowledge_journey(width)
    contacts_journey(width)
    events_journey(width)
    journey(width)
