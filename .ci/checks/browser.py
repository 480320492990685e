"""Signs up, out, in and changes the password in headless Chromium, at phone and desktop width.

Usage: python3 browser.py BASE_URL ARTIFACT_DIR
"""
import os
import sys
import time
import uuid

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

base, artifacts = sys.argv[1].rstrip("/"), sys.argv[2]
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


def journey(width):
    driver = browser(width)
    email = f"browser-{uuid.uuid4().hex[:8]}@example.com"
    try:
        driver.get(f"{base}/signup")
        no_horizontal_scroll(driver, "sign-up page")
        shot(driver, f"signup-{width}")
        # a mistake first: the form shows what is wrong and keeps the values
        fill(driver, name="Browser Person", email="not-an-email", password="0123456789")
        submit(driver, "/signup")
        expect(page_shows(driver, "valid email address"), "no field error for a bad email")
        shot(driver, f"signup-error-{width}")
        fill(driver, email=email, password="first password 1")
        submit(driver, "/signup")
        expect(page_shows(driver, "Welcome to Guild"), "no welcome after sign-up")
        shot(driver, f"home-signed-in-{width}")
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


for width in (375, 1280):
    journey(width)
