#!/usr/bin/env python3
"""Loads an HTML page from disk in headless Chromium and reports what a reader gets.

    browse.py PAGE.html [--screenshot PNG] [--phone-screenshot PNG] [--pdf PDF]

Prints one JSON object: `requests`, the URLs the page asked for while it loaded (from
Chromium's network log: requests made for a `file://` top frame; the browser's own background
requests are not the page's and are kept on this machine by a proxy address that refuses
connections), and `dom`, the rendered document as Chromium dumps it, read back into what the
tests check: per element with a `data-` attribute of interest, its attributes and text. With
`--screenshot` it also saves the page at 1280 px wide, with `--phone-screenshot` at 375 px, and
with `--pdf` it prints it as an auditor would save it.

Exits 1 with one line on stderr when Chromium is missing or fails.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

# Chromium without a sandbox (the tests may run as root), a GPU, first-run pages, extensions or
# background services; every connection it might still try goes to a local port that refuses
# it, and no name resolves, so nothing leaves the machine.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--hide-scrollbars",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]

KEEP = ("data-account", "data-control", "data-status", "data-step", "data-breaks-at",
        "data-count", "data-day", "data-events", "data-missed", "data-notifications",
        "data-matched", "data-code", "data-days", "data-rule", "data-rules-missed")


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("error: chromium is not installed; run scripts/test, which installs it (apt-get install chromium)")


def run(args, profile, timeout=120):
    cmd = [chromium(), *FLAGS, f"--user-data-dir={profile}", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        sys.exit(f"error: chromium failed ({done.returncode}): {last}")
    return done.stdout


class Elements(HTMLParser):
    """Every element with a kept `data-` attribute: its tag, attributes and text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.open = []  # (tag, entry or None)
        self.title = ""
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        entry = None
        if tag == "title":
            self.in_title = True
        if any(k in attrs for k in KEEP):
            entry = {"tag": tag, **{k: v for k, v in attrs.items() if k.startswith("data-") or k in ("class", "id", "href")}, "text": ""}
            self.found.append(entry)
        if tag not in ("br", "meta", "img", "input", "link", "hr"):
            self.open.append((tag, entry))

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        while self.open:
            top, _ = self.open.pop()
            if top == tag:
                break

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        for _, entry in self.open:
            if entry is not None:
                entry["text"] += data


def page_requests(netlog):
    """The URLs requested on behalf of a page loaded from a file."""
    with open(netlog, encoding="utf-8") as f:
        text = f.read()
    if not text.rstrip().endswith("}"):
        text = text.rstrip().rstrip(",") + "]}"
    log = json.loads(text)
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    urls = []
    for event in log.get("events", []):
        params = event.get("params") or {}
        if types.get(event["type"]) != "URL_REQUEST_START_JOB":
            continue
        if "file://" in str(params.get("network_isolation_key", "")) and "url" in params:
            urls.append(params["url"])
    return urls


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("page")
    parser.add_argument("--screenshot")
    parser.add_argument("--phone-screenshot")
    parser.add_argument("--pdf")
    opts = parser.parse_args()
    url = "file://" + os.path.abspath(opts.page)
    with tempfile.TemporaryDirectory() as tmp:
        netlog = os.path.join(tmp, "net.json")
        dom = run([f"--log-net-log={netlog}", "--dump-dom", url], os.path.join(tmp, "a"))
        requests = page_requests(netlog)
        if opts.screenshot:
            run([f"--screenshot={os.path.abspath(opts.screenshot)}", "--window-size=1280,2000", url], os.path.join(tmp, "b"))
        if opts.phone_screenshot:
            run([f"--screenshot={os.path.abspath(opts.phone_screenshot)}", "--window-size=375,1600", url], os.path.join(tmp, "c"))
        if opts.pdf:
            run([f"--print-to-pdf={os.path.abspath(opts.pdf)}", "--no-pdf-header-footer", url], os.path.join(tmp, "d"))
    elements = Elements()
    elements.feed(dom)
    print(json.dumps({"requests": requests, "title": elements.title, "elements": elements.found}))


if __name__ == "__main__":
    main()
