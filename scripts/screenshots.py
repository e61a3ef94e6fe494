"""Screenshots of the pages people read, to look at after changing one.

    python scripts/screenshots.py [-o build/screenshots] [--width 1280]

Builds nothing: it serves the current artifact (`crtkg build` first) with `crtkg serve` on a
free port, opens each page in Debian's headless Chromium and saves the whole page as PNG, one
file a page, named as in PAGES. Prints the files written.
"""

from __future__ import annotations

import argparse
import base64
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
# Without the networking flags Chromium's own connections hang on a closed network.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")

# File name -> the page: the home page (with the evidence map), a claim, a trial, a modality,
# an inferred type's explanation, the vocabulary, a class and a property, a named graph, an
# unknown name; the editor answering a syntax error, a query with a misspelt property (its
# warning), and a cell of the evidence map.
PAGES = {
    "home": "/",
    "claim": "/id/rec-echo-patient-selection",
    "trial": "/id/echocrt",
    "modality": "/id/spect",
    "explain": "/explain?s=kg:spect&p=a&o=crtkg:IonizingRadiationModality",
    "vocabulary": "/ontology",
    "class": "/ontology/ImagingModality",
    "property": "/ontology/reportsFinding",
    "graph": "/graph/data",
    "not-found": "/id/echocrtt",
    "syntax-error": "/?" + urlencode({"query": "SELECT ?s WHERE { ?s crtkg:reportsFinding ?o"}),
    "warning": "/?" + urlencode({"query": "SELECT ?t WHERE { ?t crtkg:reportFinding ?f }"}),
    "map-cell": "/?" + urlencode({"example": "evidence-map-cell",
                                  "modality": "kg:echocardiography",
                                  "role": "kg:patient-selection"}),
}
# Pages shown in part: the element that holds what the page is about (the home page is long).
PARTS = {"home": "#evidence-map", "syntax-error": "#results-section",
         "warning": "#results-section", "map-cell": "#results-section"}
RECT = """const r = document.querySelector(arguments[0]).getBoundingClientRect();
return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height};"""


def serve() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--no-build", "--port", str(port)],
        cwd=ROOT, env={**os.environ, "CRTKG_ROOT": str(ROOT)})
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/sparql?query=ASK%7B%7D", timeout=1).close()
            return process, base
        except OSError:
            if process.poll() is not None:
                sys.exit(f"screenshots: `crtkg serve` ended with {process.returncode}")
            time.sleep(0.1)
    process.kill()
    sys.exit("screenshots: the server did not answer within 30 s")


def shoot(driver: webdriver.Chrome, url: str, path: Path, part: str | None) -> None:
    """The whole page, or the element `part`, beyond the window: Chromium's DevTools
    capture."""
    driver.get(url)
    time.sleep(1.0)  # the home page's script fills in its answer after load
    if part is None:
        size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"]}
    else:
        clip = driver.execute_script(RECT, part)
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True, "clip": {**clip, "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("-o", "--out", type=Path, default=ROOT / "build" / "screenshots")
    args.add_argument("--width", type=int, default=1280, help="window width in CSS pixels")
    args.add_argument("pages", nargs="*", metavar="PAGE",
                      help=f"which pages (default all): {', '.join(PAGES)}")
    options = args.parse_args()
    unknown = [p for p in options.pages if p not in PAGES]
    if unknown:
        args.error(f"no page {', '.join(unknown)}; choose from {', '.join(PAGES)}")
    options.out.mkdir(parents=True, exist_ok=True)
    chrome = webdriver.ChromeOptions()
    chrome.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--window-size={options.width},1000"):
        chrome.add_argument(flag)
    process, base = serve()
    try:
        with tempfile.TemporaryDirectory(prefix="crtkg-chromium-") as profile:
            chrome.add_argument(f"--user-data-dir={profile}")
            driver = webdriver.Chrome(options=chrome, service=Service(CHROMEDRIVER))
            try:
                for name in options.pages or PAGES:
                    path = options.out / f"{name}.png"
                    shoot(driver, base + PAGES[name], path, PARTS.get(name))
                    print(path)
            finally:
                driver.quit()
    finally:
        process.terminate()
        process.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
