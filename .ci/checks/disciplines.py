"""Disciplines in headless Chromium, at phone and desktop width: a new member adds two disciplines
(an hour of writing a day, calls three times a week), logs today with one tap, fills in the past
week from the day form, pauses a day, and sees the streaks, the year's heat-map (an SVG with a title
on every square), the weekly bars and the results of the same weeks beside them. Marisol's demo
page (a year of history) and the Loop Habit Tracker export are checked too: the zip and its CSV
files are read by Python's own zipfile and csv modules.

Usage: python3 disciplines.py BASE_URL ARTIFACT_DIR
"""
import csv
import datetime
import io
import urllib.request
import uuid
import zipfile

from selenium.webdriver.common.by import By

from browsing import base, browser, expect, fill, no_horizontal_scroll, page_shows, shot, sign_in, submit


def labelled(driver, names, page):
    for name in names:
        for box in driver.find_elements(By.NAME, name)[:1]:
            expect(driver.find_elements(By.CSS_SELECTOR, f'label[for="{box.get_attribute("id")}"]'), f"{page}: {name} has no label")


def card(driver, title):
    cards = [c for c in driver.find_elements(By.CSS_SELECTOR, "li.discipline") if title in c.find_element(By.TAG_NAME, "h3").text]
    expect(cards, f"no card for {title}")
    return cards[0]


def journey(width):
    marker = uuid.uuid4().hex[:6]
    driver = browser(width)
    try:
        driver.get(f"{base}/signup")
        fill(driver, name=f"Habit Person {marker}", email=f"habits-{marker}@example.com", password="habit password 1")
        submit(driver, "/signup")
        expect(page_shows(driver, "Welcome to Guild"), "sign-up failed")
        driver.get(f"{base}/disciplines")
        labelled(driver, ["name", "kind", "target", "tag", "from", "through", "reason", "with", "zone"], "disciplines page")
        fill(driver, name="Writing", target="60", tag="content")
        submit(driver, "/disciplines")
        expect(page_shows(driver, "Added."), "the first discipline was not added")
        fill(driver, name="Calls", target="3")
        driver.find_element(By.CSS_SELECTOR, '#kind option[value="times_per_week"]').click()
        submit(driver, "/disciplines")
        expect(page_shows(driver, "Added."), "the second discipline was not added")
        # One tap: today's hour of writing.
        card(driver, "Writing").find_element(By.XPATH, ".//button[contains(., 'Log 60 min today')]").click()
        expect(page_shows(driver, "Logged"), "one tap did not log today")
        expect("Today: 60 minutes" in card(driver, "Writing").text, "today's minutes are not shown")
        # A week back from the day form, with a pause two days ago.
        href = card(driver, "Writing").find_element(By.CSS_SELECTOR, "h3 a").get_attribute("href")
        today = datetime.date.fromisoformat(driver.find_element(By.NAME, "from").get_attribute("value"))
        for back in [1, 3, 4, 5, 6]:
            driver.get(href)
            day = driver.find_element(By.NAME, "day")
            driver.execute_script("arguments[0].value = arguments[1]", day, (today - datetime.timedelta(days=back)).isoformat())
            fill(driver, minutes=str(60 + back * 5), note=f"Chapter {back}")
            driver.find_element(By.CSS_SELECTOR, 'form[action$="/days"] button[type=submit]').click()
            expect(page_shows(driver, "Logged"), f"day -{back} was not logged")
        labelled(driver, ["day", "minutes", "note", "link", "name", "target", "tag"], "discipline page")
        expect("<title>" in driver.page_source and 'class="heat-map"' in driver.page_source, "the heat-map has no titles")
        no_horizontal_scroll(driver, "discipline page")
        shot(driver, f"disciplines-writing-{width}")
        driver.get(f"{base}/disciplines")
        card(driver, "Calls").find_element(By.XPATH, ".//button[contains(., 'Done today')]").click()
        expect(page_shows(driver, "Logged"), "calls were not logged")
        pause = (today - datetime.timedelta(days=2)).isoformat()
        for name in ["from", "through"]:
            driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.NAME, name), pause)
        submit(driver, "/disciplines/pauses")
        expect(page_shows(driver, "Paused"), "the pause was not added")
        # Six days logged and one paused in between: a seven-day streak... of six days, counted as one run.
        writing = card(driver, "Writing").text
        expect("Streak 6 days" in writing.replace("\n", " "), f"the paused day broke the streak: {writing[:200]}")
        expect("Effort and results, week by week" in driver.page_source and "Emails sent" in driver.page_source, "no results beside the effort")
        no_horizontal_scroll(driver, "disciplines page")
        shot(driver, f"disciplines-{width}")
        # The export, read by Python's zipfile and csv.
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
        request = urllib.request.Request(f"{base}/disciplines/export.zip", headers={"Cookie": cookies})
        with urllib.request.urlopen(request) as response:
            expect(response.headers["Content-Type"] == "application/zip", "the export is not a zip")
            archive = zipfile.ZipFile(io.BytesIO(response.read()))
        expect(archive.testzip() is None, "the zip is corrupt")
        names = archive.namelist()
        expect("Habits.csv" in names and "Checkmarks.csv" in names and "001 Writing/Checkmarks.csv" in names, f"missing files: {names}")
        habits = list(csv.DictReader(io.StringIO(archive.read("Habits.csv").decode())))
        expect([h["Name"] for h in habits] == ["Writing", "Calls"] and habits[0]["Type"] == "NUMERICAL" and habits[1]["FrequencyNumerator"] == "3",
               f"Habits.csv: {habits}")
        marks = list(csv.DictReader(io.StringIO(archive.read("001 Writing/Checkmarks.csv").decode())))
        expect(len(marks) == 6 and marks[0]["Value"] == "60" and marks[1]["Value"] == "65" and marks[1]["Notes"] == "Chapter 1", f"Writing's checkmarks: {marks}")
    finally:
        driver.quit()


def demo(width):
    driver = browser(width)
    try:
        sign_in(driver, "marisol@guild.test")
        driver.get(f"{base}/disciplines")
        expect(page_shows(driver, "Marketing and sales"), "Marisol's demo disciplines are missing")
        expect(driver.page_source.count("<rect") > 1000, "a year of history is not drawn")
        no_horizontal_scroll(driver, "demo disciplines")
        shot(driver, f"disciplines-demo-{width}")
        driver.get(f"{base}/disciplines/reading")
        expect(page_shows(driver, "Turn into a case study"), "the reading page has no implementation to turn into a case study")
        driver.find_element(By.XPATH, "//a[contains(., 'Turn into a case study')]").click()
        expect(page_shows(driver, "A one-line promise on every quote"), "the case-study draft is not filled in")
    finally:
        driver.quit()
    # Rae is Marisol's partner: she sees Marisol's page and cheers.
    rae = browser(width)
    try:
        sign_in(rae, "rae@guild.test")
        rae.get(f"{base}/disciplines")
        links = rae.find_elements(By.XPATH, "//a[contains(@href, '/disciplines/of/')]")
        expect(links, "Rae does not see the member she keeps honest")
        links[0].click()
        expect(page_shows(rae, "Marisol") and "Writing" in rae.page_source, "Rae cannot see Marisol's disciplines")
        shot(rae, f"disciplines-partner-{width}")
    finally:
        rae.quit()


for width in (375, 1280):
    journey(width)
    demo(width)
print("disciplines: two journeys, demo and partner views, Loop export checked")
