"""Every kind of Atom feed of the demo network, read by feedparser (an independent parser): no bozo,
the right entries, no author on the post written without a name, no members-only post, 304 when
the reader is current.

Usage: python3 feeds.py BASE_URL
"""
import sys
import urllib.error
import urllib.request

import feedparser

base = sys.argv[1].rstrip("/")


def fail(message):
    raise SystemExit(f"feeds check failed: {message}")


def fetch(path, headers=None):
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def read(path, expect_titles=(), forbid_titles=()):
    status, headers, body = fetch(path)
    if status != 200: fail(f"{path} gave {status}")
    if not headers.get("Content-Type", "").startswith("application/atom+xml"): fail(f"{path} is {headers.get('Content-Type')}")
    feed = feedparser.parse(body)
    if feed.bozo: fail(f"{path} is not well-formed: {feed.bozo_exception}")
    if feed.version != "atom10": fail(f"{path} parsed as {feed.version!r}, not Atom 1.0")
    titles = [entry.title for entry in feed.entries]
    for title in expect_titles:
        if not any(title in t for t in titles): fail(f"{path} lacks {title!r}: {titles}")
    for title in forbid_titles:
        if any(title in t for t in titles): fail(f"{path} has {title!r}")
    for entry in feed.entries:
        if not entry.get("id", "").startswith("tag:"): fail(f"{path}: entry id {entry.get('id')!r} is not a tag URI")
        if "updated" not in entry: fail(f"{path}: an entry has no updated time")
        if "<script" in entry.content[0].value.lower(): fail(f"{path}: an entry carries a script")
    return feed, headers


feed, headers = read("/feeds/posts.atom", expect_titles=["Invoice on the day you finish the job", "forty edits for free"],
                     forbid_titles=["Which CRM for a two-person cleaning company"])
anonymous = next(entry for entry in feed.entries if "forty edits" in entry.title)
if anonymous.get("author") or anonymous.get("authors"): fail(f"the post without a name has an author: {anonymous.get('authors')}")
named = next(entry for entry in feed.entries if "Invoice on the day" in entry.title)
if named.get("author") != "Ada Admin": fail(f"the named post's author is {named.get('author')!r}")
read("/feeds/kinds/case_study.atom", expect_titles=["sold a family house in nine days"], forbid_titles=["Invoice on the day"])
read("/feeds/niches/restaurant-marketing.atom", expect_titles=["Tuesday nights are full"], forbid_titles=["forty edits"])
read("/feeds/members/rae-lindqvist.atom", forbid_titles=["forty edits"])
read("/feeds/members/ada-admin.atom", expect_titles=["Invoice on the day you finish the job"])
status, _, _ = fetch("/feeds/posts.atom", {"If-None-Match": headers["ETag"]})
if status != 304: fail(f"a current ETag gave {status}, not 304")
status, _, _ = fetch("/feeds/posts.atom", {"If-Modified-Since": headers["Last-Modified"]})
if status != 304: fail(f"a current Last-Modified gave {status}, not 304")
print("Atom feeds read by feedparser: all, per kind, per niche, per member; no bozo, anonymity and members-only kept, 304: ok")

# OPML, read by listparser (an independent OPML parser from PyPI): a niche's blogroll and a member's.
import listparser

for path, expect in [("/blogroll/niches/bookkeeping.opml", ["Small Ledger"]),
                     ("/blogroll/niches/local-seo.opml", ["Near Me", "Ortega Marketing Notes"]),
                     ("/blogroll/members/marisol-ortega.opml", ["Ortega Marketing Notes", "Near Me"]),
                     ("/api/v1/blogroll/niches/bookkeeping.opml", ["Small Ledger"])]:
    status, headers, body = fetch(path)
    if status != 200: fail(f"{path} gave {status}")
    if not headers.get("Content-Type", "").startswith("text/x-opml"): fail(f"{path} is {headers.get('Content-Type')}")
    result = listparser.parse(body)
    if result.bozo: fail(f"{path} is not well-formed OPML: {result.bozo_exception}")
    titles = [feed.title for feed in result.feeds]
    if titles != expect: fail(f"{path} lists {titles}, not {expect}")
    if not all(feed.url.startswith("https://") for feed in result.feeds): fail(f"{path}: a feed without its address")
print("OPML blogrolls read by listparser: per niche, per member and through the API: ok")
