"""Cover plans in headless Chromium, at phone and desktop width: a new member sets up a plan (asks Rae
to be their backup, writes a runbook, where a password is refused, and names a trusted contact), Rae
accepts, the trusted contact switches the cover on from the emailed link at 375 px without an account,
Rae reads the runbook and logs work, and the member comes back, reads the log and thanks Rae.

Usage: GUILD_MAIL_DIR=… python3 cover.py BASE_URL ARTIFACT_DIR
"""
import email
import os
import re
import time
import uuid
from email import policy

from selenium.webdriver.common.by import By

from browsing import base, browser, expect, fill, mail_dir, no_horizontal_scroll, page_shows, shot, sign_in, submit


def labelled(driver, names, page):
    for name in names:
        box = driver.find_element(By.NAME, name)
        expect(driver.find_elements(By.CSS_SELECTOR, f'label[for="{box.get_attribute("id")}"]'), f"{page}: {name} has no label")


def mail_to(address, timeout=60):
    """The text of the first email to `address` the outbox has written, waiting for it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for name in sorted(os.listdir(mail_dir)) if os.path.isdir(mail_dir) else []:
            with open(os.path.join(mail_dir, name), "rb") as handle:
                message = email.message_from_bytes(handle.read(), policy=policy.default)
            if address in (message["To"] or ""):
                return message.get_body(preferencelist=("plain",)).get_content()
        time.sleep(0.5)
    raise SystemExit(f"browser check failed: no email to {address} within {timeout}s")


def click_in_row(driver, text, selector):
    rows = [row for row in driver.find_elements(By.CSS_SELECTOR, "li") if text in row.text]
    expect(rows, f"no row mentions {text}")
    rows[0].find_element(By.CSS_SELECTOR, selector).click()


def cover_journey(width):
    marker = uuid.uuid4().hex[:6]
    name, address, password = f"Cover Person {marker}", f"cover-{marker}@example.com", "cover password 1"
    contact = f"tess-{marker}@example.com"
    member = browser(width)
    try:
        member.get(f"{base}/signup")
        fill(member, name=name, email=address, password=password)
        submit(member, "/signup")
        expect(page_shows(member, "Welcome to Guild"), "sign-up failed")
        # Members paste a profile's address to ask someone: Rae's, as the demo makes it.
        rae_profile = f"{base}/m/rae-lindqvist"
        member.get(rae_profile)
        expect(page_shows(member, "Ask Rae Lindqvist to be my backup"), "Rae's profile does not offer to ask her")
        member.get(f"{base}/cover")
        expect(page_shows(member, "Nobody covers you yet"), "no prompt for a member without cover")
        labelled(member, ["with", "niche", "message"], "backup request")
        no_horizontal_scroll(member, "cover plan")
        shot(member, f"cover-empty-{width}")
        fill(member, **{"with": rae_profile, "message": "Would you cover me if I am ill?"})
        submit(member, "/cover/backups")
        expect(page_shows(member, "Asked."), "the backup request was not sent")
        member.get(f"{base}/cover/runbook")
        member.find_element(By.XPATH, "//summary[contains(., 'Add a client')]").click()
        labelled(member, ["name", "email", "phone", "inProgress", "deadline", "mustHear"], "runbook client")
        fill(member, name=f"Harbor Noodle Bar {marker}", email=f"owner-{marker}@harbor.example",
             inProgress="Menu photos on the 14th\nwordpress password: Hunter22x")
        submit(member, "/cover/runbook/clients")
        expect(page_shows(member, "password manager"), "a password in the runbook was not refused")
        expect("Hunter22x" not in member.page_source, "the refused password came back in the page")
        no_horizontal_scroll(member, "runbook with a refused secret")
        shot(member, f"cover-runbook-secret-{width}")
        fill(member, name=f"Harbor Noodle Bar {marker}", email=f"owner-{marker}@harbor.example", inProgress="Menu photos on the 14th")
        submit(member, "/cover/runbook/clients")
        expect(page_shows(member, "Client added."), "the client was not added")
        member.find_element(By.XPATH, "//summary[contains(., 'Add a duty')]").click()
        fill(member, title="Send the Thursday newsletter", when="Thursdays 9:00", steps="Duplicate last week's campaign and send it.")
        submit(member, "/cover/runbook/duties")
        expect(page_shows(member, "Duty added."), "the duty was not added")
        fill(member, clientMessage="I am unwell for a few days; my backup is looking after anything urgent.")
        submit(member, "/cover/runbook/basics")
        expect(page_shows(member, "Saved."), "the message to clients was not saved")
        shot(member, f"cover-runbook-{width}")
        member.get(f"{base}/cover")
        fill(member, name="Tess Trusted", email=contact)
        submit(member, "/cover/trusted-contact")
        expect(page_shows(member, "/cover/activate/"), "the trusted contact's link was not shown once")
        shot(member, f"cover-trusted-contact-{width}")
    finally:
        member.quit()

    rae = browser(width)
    try:
        sign_in(rae, "rae@guild.test")
        rae.get(f"{base}/cover")
        click_in_row(rae, name, 'form[action$="/accept"] button')
        expect(page_shows(rae, "you are their backup now"), "Rae could not accept")
        no_horizontal_scroll(rae, "cover plan of a backup")
        shot(rae, f"cover-backup-accepted-{width}")
    finally:
        rae.quit()

    # The trusted contact has never seen Guild: the emailed link, on a phone, one button.
    text = mail_to(contact)
    link = re.search(r"https?://\S+(/cover/activate/\S+)", text)
    expect(link, "the trusted contact's email has no link")
    phone = browser(375)
    try:
        phone.get(base + link.group(1))
        expect(page_shows(phone, f"Switch on {name}'s cover"), "the activation page did not open")
        labelled(phone, ["expectedBack", "note"], "activation page")
        no_horizontal_scroll(phone, "activation page")
        shot(phone, f"cover-activate-{width}")
        fill(phone, note="In hospital since last night.")
        phone.find_element(By.CSS_SELECTOR, 'form[action^="/cover/activate/"] button[type=submit]').click()
        expect(page_shows(phone, "cover is on"), "the trusted contact could not switch the cover on")
        expect(page_shows(phone, "Rae Lindqvist is the first to step in"), "the page does not say who steps in")
        shot(phone, f"cover-activated-{width}")
        phone.get(base + link.group(1))
        expect(page_shows(phone, "This link does not work"), "the link worked twice")
    finally:
        phone.quit()

    rae = browser(width)
    try:
        sign_in(rae, "rae@guild.test")
        rae.get(f"{base}/cover")
        click_in_row(rae, f"{name} is out", 'a[href^="/cover/for/"]')
        expect(page_shows(rae, f"Harbor Noodle Bar {marker}") and "Send the Thursday newsletter" in rae.page_source,
               "the backup cannot read the runbook")
        labelled(rae, ["item", "note"], "handoff log")
        options = [o for o in rae.find_elements(By.CSS_SELECTOR, 'select[name="item"] option') if "Harbor Noodle Bar" in o.text]
        expect(options, "the runbook's client is not among the handoff items")
        options[0].click()
        fill(rae, note=f"Moved the photo shoot to next week {marker}")
        submit(rae, rae.current_url[len(base):] + "/handoffs")
        expect(page_shows(rae, "Logged."), "the handoff was not logged")
        no_horizontal_scroll(rae, "covering page")
        shot(rae, f"cover-covering-{width}")
    finally:
        rae.quit()

    member = browser(width)
    try:
        sign_in(member, address, password)
        member.get(f"{base}/cover")
        expect(page_shows(member, "Your cover is on"), "the member does not see the cover is on")
        submit(member, "/cover/back")
        expect(page_shows(member, "Welcome back"), "I'm back did not end the cover")
        expect(f"Moved the photo shoot to next week {marker}" in member.page_source, "the member does not see the handoff log")
        expect("Read the runbook" in member.page_source and "Tess Trusted" in member.page_source, "the member does not see who read and who switched it on")
        boxes = member.find_elements(By.CSS_SELECTOR, 'form[action$="/thanks"] textarea')
        expect(boxes, "no way to thank the backup")
        boxes[0].send_keys("Thank you, Rae!")
        member.find_element(By.CSS_SELECTOR, 'form[action$="/thanks"] button[type=submit]').click()
        expect(page_shows(member, "Thank-you sent."), "the thank-you was not sent")
        no_horizontal_scroll(member, "cover record")
        shot(member, f"cover-back-{width}")
        print(f"cover journey at {width}px: ok")
    finally:
        member.quit()


for width in (375, 1280):
    cover_journey(width)
