"""What every browser check shares: headless Chromium at a width, forms, waiting, screenshots.

Each check script is run as `python3 SCRIPT BASE_URL ARTIFACT_DIR` and imports this first.
"""
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

base, artifacts = sys.argv[1].rstrip("/"), sys.argv[2]
# Where the server writes its mail, and how to run `guild` on its database.
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
    """Posts the form and waits until the browser shows another document, so that a check that follows
    cannot pass on the old page (a second "Added." matched the first one's flash). The old document is
    marked; the new one has no mark. (Selenium's staleness_of is not usable here: Chromium answers a
    check of a node from a left document with an inspector error, not a stale-element error.)"""
    driver.execute_script("window.__guildLeft = false")
    driver.find_element(By.CSS_SELECTOR, f'form[action="{action}"] button[type=submit]').click()
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            if driver.execute_script("return window.__guildLeft === undefined && document.readyState !== 'loading'"):
                return
        except WebDriverException:
            pass  # between documents
        time.sleep(0.05)
    # The browser kept the page (its own form validation stopped the post): the caller's check says so.


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


def sign_in(driver, email, password="guild-demo-password"):
    driver.get(f"{base}/signin")
    fill(driver, email=email, password=password)
    submit(driver, "/signin")
    expect(page_shows(driver, "Sign out"), f"{email} could not sign in")
