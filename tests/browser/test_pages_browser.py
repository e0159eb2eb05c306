"""The pages in a real browser: load, search, open a chain, the picture and the conflicts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.live import LiveServer
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def _page(browser: Any) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15000)
    return page


def test_search_open_a_chain_and_see_picture_and_conflicts(
    browser: Any, server: LiveServer
) -> None:
    page = _page(browser)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "/")
    assert page.title().startswith("Works")
    page.fill("#q", "river")
    page.click("button[type=submit]")
    page.wait_for_url("**/?q=river")
    assert page.locator("#works tbody tr").count() == 5
    page.click("text=W-NOVEL")
    page.wait_for_url("**/works/W-NOVEL")
    page.select_option("#right", "information_network")
    page.select_option("#territory", "CN")
    page.fill("#at", "2020-01-01")
    page.click("text=Show chain of title")
    page.wait_for_url("**right=information_network**")
    svg = page.locator("svg.timeline")
    assert svg.count() == 1
    assert svg.locator("g.bar.owner").count() >= 2
    assert svg.locator("g.bar.licence").count() >= 2
    assert svg.locator("g.marker").count() >= 2
    box = svg.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 100
    codes = page.locator("#conflicts .conflict .code").all_inner_texts()
    assert "NON_OWNER_GRANT" in codes
    assert "it had passed to P-SRP" in page.locator("#conflicts").inner_text()
    assert "granted by P-SRP" in page.locator("#avails").inner_text()
    assert not errors
    page.close()


def test_conflicts_overview_filter(browser: Any, server: LiveServer) -> None:
    page = _page(browser)
    page.goto(server.url + "/conflicts")
    page.select_option("#code", "OVERLAPPING_EXCLUSIVE")
    page.click("text=Filter")
    page.wait_for_url("**code=OVERLAPPING_EXCLUSIVE**")
    rows = page.locator("#conflict-table tbody tr")
    assert rows.count() == 1 and "A-013" in rows.inner_text()
    page.close()


def test_sparql_editor_runs_an_example(browser: Any, server: LiveServer) -> None:
    page = _page(browser)
    page.goto(server.url + "/sparql")
    assert page.locator("#examples option").count() > 10
    page.select_option("#examples", label="graphs")
    assert "named graphs" in page.locator("#example-comment").inner_text()
    page.click("#run")
    page.wait_for_selector("#result-table")
    assert page.locator("#result-table tbody tr").count() >= 2
    page.fill("#query", "SELECT * WHERE { ?s ?p }")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#results .notice.error")
    assert "expected" in page.locator("#results").inner_text()
    page.close()


def test_screenshot_of_the_chain_of_title(browser: Any, server: LiveServer) -> None:
    """Writes tests/artifacts/chain-of-title.png (and the report as PDF) to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = _page(browser)
    page.goto(server.url + "/works/W-FILM?right=information_network&territory=CN&at=2017-06-01")
    path = ARTIFACTS / "chain-of-title.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 20000
    page.goto(server.url + "/works/W-FILM/report?right=screening&territory=FR&at=2024-06-01")
    page.emulate_media(media="print")
    assert page.locator(".top").is_hidden()
    pdf = ARTIFACTS / "chain-of-title-report.pdf"
    page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True)
    assert pdf.read_bytes()[:4] == b"%PDF"
    page.close()
