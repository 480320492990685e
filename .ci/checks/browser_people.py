"""The browser journeys of contacts (a card, a follow-up, an email and its answer) and of circles and
events (an event, RSVP, check-in, who was there, a one-to-one); run by browser.py.
"""
import email
import os
import re
import subprocess
import time
import urllib.request
import uuid

from selenium.webdriver.common.by import By

from browsing import base, browser, expect, fill, guild_bin, guild_db, mail_dir, no_horizontal_scroll, page_shows, shot, sign_in, submit


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
