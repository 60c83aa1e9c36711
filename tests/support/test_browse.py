"""browse.py's own tests: a request a page makes is reported (so the HTML report's "fetches
nothing" check can fail), a page that makes none reports none, and the DOM is read back."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def browse(html):
    with tempfile.TemporaryDirectory() as tmp:
        page = os.path.join(tmp, "page.html")
        with open(page, "w", encoding="utf-8") as f:
            f.write(html)
        out = subprocess.run([sys.executable, os.path.join(HERE, "browse.py"), page],
                             capture_output=True, text=True, check=True, timeout=180)
        return json.loads(out.stdout)


class BrowseTest(unittest.TestCase):
    def test_an_image_and_a_stylesheet_from_elsewhere_are_reported(self):
        got = browse('<!DOCTYPE html><html><head><link rel="stylesheet" href="http://127.0.0.1:9/s.css">'
                     '</head><body><img src="https://example.invalid/x.png"></body></html>')
        self.assertIn("http://127.0.0.1:9/s.css", got["requests"])
        self.assertIn("https://example.invalid/x.png", got["requests"])

    def test_a_self_contained_page_requests_nothing_and_its_dom_is_read(self):
        got = browse('<!DOCTYPE html><html><head><title>t</title><style>p{color:#000}</style></head>'
                     '<body><section data-control="c" data-status="waived"><p>~ waived</p>'
                     '<svg><rect data-day="2026-11-01" data-events="3"></rect></svg></section></body></html>')
        self.assertEqual(got["requests"], [])
        self.assertEqual(got["title"], "t")
        section, rect = got["elements"]
        self.assertEqual((section["data-control"], section["data-status"]), ("c", "waived"))
        self.assertIn("~ waived", section["text"])
        self.assertEqual(rect["data-events"], "3")


if __name__ == "__main__":
    unittest.main()
