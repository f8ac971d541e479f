"""The web chat widget in a real browser (Chromium via Playwright); see conftest.py for the two modes
(self-contained with the Rasa double, or LEGALAID_E2E_APP_URL against the full product)."""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from e2e_support import DESKTOP, PHONE, Widget

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
GREETING = "Hello! I'm the LegalAid assistant. What is your question about?"
NOTICE = "This is general information, not legal advice. Please don't share sensitive details until asked."


def double_only(stack):
    if not stack.is_double:
        pytest.skip("needs the Rasa double's deterministic replies")


def start_conversation(w):
    """Open the widget, say hello, wait for a reply with quick replies (any bot in real mode)."""
    w.open()
    w.send("hello")
    w.wait_bot(1)
    if w.stack.is_double:
        expect(w.bot.last.locator(".lac-bubble")).to_have_text(GREETING)
        expect(w.chips).to_have_count(4)


def contrast(page, selector: str, pseudo_placeholder: bool = False) -> float:
    """WCAG contrast ratio of an element's text colour against its own (opaque) background colour."""
    return page.eval_on_selector(
        selector,
        """el => {
          const parse = c => c.match(/[\\d.]+/g).map(Number);
          const lum = ([r, g, b]) => {
            const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
          };
          const s = getComputedStyle(el);
          const bg = parse(s.backgroundColor);
          if (bg.length > 3 && bg[3] < 1) throw new Error('background not opaque: ' + s.backgroundColor);
          const a = lum(parse(s.color)), b = lum(bg);
          return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        }""",
    )


# ----------------------------------------------------------------------------- page and widget basics


def test_demo_page_is_a_small_legal_aid_site_with_the_widget(widget):
    page = widget.page
    expect(page.locator("header.site")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.locator("article.card").count() >= 3
    expect(page.locator("footer")).to_be_visible()
    # One script tag, a real <button> as launcher, the panel closed at first, CSS injected once.
    assert page.locator("script[src$='/widget.js']").count() == 1
    assert widget.launcher.evaluate("el => el.tagName") == "BUTTON"
    expect(widget.launcher).to_have_attribute("aria-expanded", "false")
    expect(widget.panel).to_be_hidden()
    assert page.locator("style#lac-styles").count() == 1
    assert page.evaluate("() => window.LegalAidChat.apiBase") == widget.stack.app_url
    # All widget classes are prefixed.
    classes = page.eval_on_selector_all(".lac-root, .lac-root *", "els => els.flatMap(e => [...e.classList])")
    assert classes and all(c.startswith("lac-") for c in classes), sorted(set(classes))


def test_open_send_and_get_a_reply(widget):
    w = widget
    w.launcher.click()
    expect(w.panel).to_be_visible()
    expect(w.launcher).to_have_attribute("aria-expanded", "true")
    expect(w.input).to_be_focused()
    expect(w.panel.get_by_role("heading", name="LegalAid assistant")).to_be_visible()
    expect(w.panel.locator(".lac-notice")).to_have_text(NOTICE)
    expect(w.log).to_have_attribute("aria-live", "polite")
    w.input.type("hello")
    w.input.press("Enter")
    expect(w.user.locator(".lac-bubble")).to_have_text(["hello"])
    expect(w.input).to_have_value("")
    w.wait_bot(1)
    if w.stack.is_double:
        expect(w.bot.first.locator(".lac-bubble")).to_have_text(GREETING)
        expect(w.chips).to_have_text(["Housing", "Family", "Work", "Debt"])
        sender = w.sender()
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", sender)
        assert [e["text"] for e in w.stack.user_events(sender)] == ["hello"]
    else:
        assert w.bot.count() >= 1


def test_typing_indicator_while_waiting(widget):
    double_only(widget.stack)  # the double answers "slow" after 1.5 s
    w = widget.open()
    w.send("a slow question")
    expect(w.typing).to_be_visible()
    expect(w.typing).to_have_attribute("role", "status")
    w.wait_bot(1)
    expect(w.typing).to_be_hidden()
    assert w.bot_texts()[0].startswith("You wrote: a slow question")


def test_quick_reply_sends_payload_shows_title_and_goes_away(widget):
    w = widget
    start_conversation(w)
    first_chip = w.chips.first
    title = first_chip.inner_text()
    before = w.bot.count()
    first_chip.click()
    # The clicked group is removed at once; the person's bubble shows the title, not the payload.
    expect(w.user.last.locator(".lac-bubble")).to_have_text(title)
    w.wait_bot(before + 1)
    assert w.user_texts() == ["hello", title]
    if not w.stack.is_double:
        return
    assert title == "Housing"
    events = w.stack.user_events(w.sender())
    assert events[-1]["text"] == '/choose_topic{"topic":"housing"}'
    assert events[-1]["metadata"] == {"display_text": "Housing"}
    # Old quick replies are gone, the new ones are there; links are safe and open in a new tab.
    expect(w.chips).to_have_text(["Yes, thanks", "No"])
    inline = w.bot.locator("a.lac-link--inline")
    expect(inline).to_have_attribute("href", "https://legalaid.example.org/guides/housing")
    guide = w.panel.get_by_role("link", name=re.compile("Housing guide"))
    expect(guide).to_have_attribute("href", "https://legalaid.example.org/guides/housing")
    for link in w.panel.locator("a").all():
        assert link.get_attribute("target") == "_blank"
        assert set(link.get_attribute("rel").split()) >= {"noopener", "noreferrer"}
        assert link.get_attribute("href").startswith(("http://", "https://"))
    # Follow-up quick reply works too.
    bots = w.bot.count()
    w.chips.filter(has_text="Yes, thanks").click()
    w.wait_bot(bots + 1)
    expect(w.bot.last.locator(".lac-bubble")).to_have_text("Glad I could help. Is there anything else you'd like to know?")
    expect(w.chips).to_have_count(0)


def test_conversation_is_restored_after_reload(widget):
    w = widget
    start_conversation(w)
    w.chips.first.click()
    w.wait_bot(3 if w.stack.is_double else 2)
    sender = w.sender()
    # Rasa's REST channel splits some replies (custom JSON, paragraphs) that the tracker keeps whole:
    # compare what is read (bubbles, links), not the number of message boxes.
    users, bots = w.user_texts(), w.bot_texts()
    links = w.panel.locator(".lac-log a").evaluate_all("els => els.map(a => a.href)")
    chips_before = w.chips.all_text_contents()

    w.reload().open()
    expect(w.user.locator(".lac-bubble")).to_have_text(users)
    assert w.sender() == sender
    if w.stack.is_double:
        assert w.bot_texts() == bots
        assert sorted(w.panel.locator(".lac-log a").evaluate_all("els => els.map(a => a.href)")) == sorted(links)
        # Only the latest turn's quick replies are offered again, and they work.
        assert w.chips.all_text_contents() == chips_before == ["Yes, thanks", "No"]
        count = w.bot.count()
        w.chips.filter(has_text="No").click()
        w.wait_bot(count + 1)
        assert w.user_texts()[-1] == "No"
    else:
        expect(w.bot.first).to_be_visible()
        assert w.chips.all_text_contents() == chips_before


def test_panel_stays_open_across_pages_of_the_site(widget):
    w = widget.open()
    w.page.reload()
    expect(w.panel).to_be_visible()
    w.close_button.click()
    expect(w.panel).to_be_hidden()
    expect(w.launcher).to_be_focused()
    w.page.reload()
    expect(w.panel).to_be_hidden()


# ----------------------------------------------------------------------------- keyboard and accessibility


def _active(page) -> str:
    return page.evaluate(
        """() => { const a = document.activeElement;
                   return a ? (a.className && typeof a.className === 'string' ? a.className : a.tagName) : ''; }"""
    )


def test_keyboard_only_flow(widget):
    w = widget
    page = w.page
    page.mouse.move(0, 0)
    # Tab from the top of the page to the launcher.
    for _ in range(40):
        page.keyboard.press("Tab")
        if "lac-launcher" in _active(page):
            break
    else:
        pytest.fail("the launcher is not reachable with Tab")
    outline = w.launcher.evaluate("el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).boxShadow")
    assert not outline.startswith("none"), outline  # visible focus style
    page.keyboard.press("Enter")
    expect(w.panel).to_be_visible()
    expect(w.input).to_be_focused()

    page.keyboard.type("hello")
    page.keyboard.press("Enter")
    w.wait_bot(1)
    expect(w.input).to_be_focused()
    # Shift+Tab from the input reaches the quick replies of the latest answer.
    for _ in range(8):
        page.keyboard.press("Shift+Tab")
        if "lac-chip" in _active(page):
            break
    else:
        pytest.fail("quick replies are not reachable with Shift+Tab from the input")
    chip_style = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert chip_style != "none"
    title = page.evaluate("() => document.activeElement.textContent")
    page.keyboard.press("Enter")
    expect(w.user.last.locator(".lac-bubble")).to_have_text(title)
    expect(w.input).to_be_focused()
    w.wait_bot(2)

    # Tab from the input to "Talk to a lawyer" (after the send button) and use it with Space.
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent") == "Talk to a lawyer":
            break
    else:
        pytest.fail("'Talk to a lawyer' is not reachable with Tab")
    bots = w.bot.count()
    page.keyboard.press("Space")
    expect(w.user.last.locator(".lac-bubble")).to_have_text("Talk to a lawyer")
    w.wait_bot(bots + 1)

    # Esc closes the panel and gives focus back to the launcher; Enter opens it again.
    page.keyboard.press("Escape")
    expect(w.panel).to_be_hidden()
    expect(w.launcher).to_be_focused()
    expect(w.launcher).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(w.panel).to_be_visible()
    expect(w.input).to_be_focused()


def test_controls_are_labelled_and_colours_have_aa_contrast(widget):
    w = widget
    start_conversation(w)
    page = w.page
    unlabelled = page.eval_on_selector_all(
        ".lac-root button, .lac-root textarea",
        """els => els.filter(e => {
              const name = (e.getAttribute('aria-label') || e.textContent || '').trim()
                || (e.id && document.querySelector(`label[for="${e.id}"]`)?.textContent.trim());
              return !name;
           }).map(e => e.outerHTML)""",
    )
    assert unlabelled == []
    expect(w.panel).to_have_attribute("role", "dialog")
    expect(w.log).to_have_attribute("role", "log")
    # Text colours against their backgrounds (WCAG AA: 4.5:1 for normal text).
    for selector in (
        ".lac-launcher",
        ".lac-log .lac-msg--user .lac-bubble",
        ".lac-log .lac-msg--bot .lac-bubble",
        ".lac-notice",
        ".lac-action--lawyer",
        ".lac-input",
    ) + ((".lac-chip",) if w.stack.is_double else ()):
        ratio = contrast(page, selector)
        assert ratio >= 4.5, f"{selector}: contrast {ratio:.2f}"
    # Header text on the darkest and the lightest stop of its gradient.
    for bg in ("#14305a", "#1e3a8a"):
        ratio = page.evaluate(
            """([bg]) => { const el = document.querySelector('.lac-subtitle');
                 const probe = document.createElement('div'); probe.style.background = bg; document.body.appendChild(probe);
                 const parse = c => c.match(/[\\d.]+/g).map(Number);
                 const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                                              return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
                 const a = lum(parse(getComputedStyle(el).color)), b = lum(parse(getComputedStyle(probe).backgroundColor));
                 probe.remove(); return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); }""",
            [bg],
        )
        assert ratio >= 4.5, f"subtitle on {bg}: {ratio:.2f}"


# ----------------------------------------------------------------------------- safety


def test_markup_is_shown_as_text_and_never_runs(widget):
    w = widget.open()
    w.send(XSS)
    expect(w.user.last.locator(".lac-bubble")).to_have_text(XSS)
    w.wait_bot(1)
    if w.stack.is_double:
        assert w.bot_texts()[0] == f"You wrote: {XSS}\n\nI can share general information about these topics:"
    assert w.page.locator(".lac-root img").count() == 0
    # After a reload the history shows it literally too.
    w.reload().open()
    expect(w.user.first.locator(".lac-bubble")).to_have_text(XSS)
    assert w.page.locator(".lac-root img, .lac-root script").count() == 0
    w.page.wait_for_timeout(300)
    assert w.guard.dialogs == []  # and the fixture fails the test on any dialog or page error


def test_only_http_links_are_clickable(widget):
    double_only(widget.stack)
    w = widget.open()
    w.send("show me unsafe links")
    w.wait_bot(1)
    links = w.panel.locator(".lac-log a")
    hrefs = [a.get_attribute("href") for a in links.all()]
    assert hrefs == ["https://legalaid.example.org/safe-text", "https://legalaid.example.org/safe"]
    expect(w.bot.first.locator(".lac-bubble")).to_contain_text("javascript:alert(1)")
    expect(w.panel.get_by_role("link", name=re.compile("Script link"))).to_have_count(0)
    for a in links.all():
        assert a.get_attribute("target") == "_blank"
        assert a.get_attribute("rel") == "noopener noreferrer"


# ----------------------------------------------------------------------------- failures and retry


def test_retry_message_when_the_bot_is_down_and_nothing_is_lost(widget):
    w = widget
    start_conversation(w)
    text = "My landlord changed the locks"
    with w.bot_down():
        w.send(text)
        expect(w.alert).to_be_visible()
        expect(w.alert).to_have_attribute("role", "alert")
        expect(w.alert).to_contain_text("temporarily unavailable")
        expect(w.retry).to_have_text("Retry")
        expect(w.user.last.locator(".lac-bubble")).to_have_text(text)
        expect(w.user.last.locator(".lac-status")).to_have_text("Not sent yet")
        saved = w.page.evaluate("() => JSON.parse(localStorage.getItem('legalaid-chat:outbox'))")
        assert [item["message"] for item in saved] == [text]
        # Typing more while it is down queues it behind the first one.
        w.send("second message")
        expect(w.user.last.locator(".lac-status")).to_have_text("Not sent yet")
    bots = w.bot.count()
    w.retry.click()
    w.wait_bot(bots + 2)
    expect(w.alert).to_be_hidden()
    expect(w.page.locator(".lac-status")).to_have_count(0)
    assert w.user_texts() == ["hello", text, "second message"]
    assert w.page.evaluate("() => localStorage.getItem('legalaid-chat:outbox')") is None
    if w.stack.is_double:
        assert [e["text"] for e in w.stack.user_events(w.sender())] == ["hello", text, "second message"]


def test_retry_message_when_the_server_is_unreachable(widget):
    w = widget
    start_conversation(w)
    page = w.page
    page.route("**/api/chat", lambda route: route.abort("connectionrefused"))
    w.send("are you there?")
    expect(w.alert).to_contain_text("couldn't reach")
    expect(w.user.last.locator(".lac-bubble")).to_have_text("are you there?")
    page.unroute("**/api/chat")
    bots = w.bot.count()
    w.retry.click()
    w.wait_bot(bots + 1)
    expect(w.alert).to_be_hidden()
    assert w.user_texts() == ["hello", "are you there?"]


def test_rejected_message_goes_back_into_the_box(widget):
    w = widget.open()
    page = w.page
    detail = "Invalid request: message: too long."
    page.route(
        "**/api/chat",
        lambda route: route.fulfill(status=422, content_type="application/json",
                                    body=json.dumps({"detail": detail, "errors": []})),
    )
    w.send("a message the server refuses")
    expect(w.alert).to_contain_text(detail)
    expect(w.alert).to_contain_text("back in the message box")
    expect(w.input).to_have_value("a message the server refuses")
    expect(w.user).to_have_count(0)
    assert page.evaluate("() => localStorage.getItem('legalaid-chat:outbox')") is None
    page.unroute("**/api/chat")
    w.retry.click()  # "OK"
    expect(w.alert).to_be_hidden()
    w.input.press("Enter")
    w.wait_bot(1)
    assert w.user_texts() == ["a message the server refuses"]


def test_unsent_message_survives_a_reload(widget):
    w = widget
    start_conversation(w)
    with w.bot_down():
        w.send("please keep this")
        expect(w.alert).to_be_visible()
        w.reload().open()
        expect(w.user.last.locator(".lac-bubble")).to_have_text("please keep this")
        expect(w.alert).to_be_visible()
    bots = w.bot.count()
    w.retry.click()
    w.wait_bot(bots + 1)
    expect(w.alert).to_be_hidden()
    expect(w.user.locator(".lac-bubble")).to_have_text(["hello", "please keep this"])
    if w.stack.is_double:
        assert [e["text"] for e in w.stack.user_events(w.sender())] == ["hello", "please keep this"]


# ----------------------------------------------------------------------------- actions


def test_talk_to_a_lawyer_is_always_at_hand(widget):
    w = widget.open()
    expect(w.lawyer).to_be_visible()
    w.lawyer.click()
    expect(w.user.last.locator(".lac-bubble")).to_have_text("Talk to a lawyer")
    w.wait_bot(1)
    if w.stack.is_double:
        event = w.stack.user_events(w.sender())[-1]
        assert event["text"] == "/request_lawyer"
        assert event["metadata"] == {"display_text": "Talk to a lawyer"}
        expect(w.chips).to_have_text(["Yes, go ahead", "I\u2019d rather not"])
        # A title with typographic punctuation still reaches the app (HTTP headers are Latin-1).
        w.chips.last.click()
        expect(w.user.last.locator(".lac-bubble")).to_have_text("I\u2019d rather not")
        w.wait_bot(2)
        event = w.stack.user_events(w.sender())[-1]
        assert (event["text"], event["metadata"]) == ("/deny", {"display_text": "I'd rather not"})
    # Still visible after a long conversation (header/footer don't scroll away).
    for i in range(6):
        bots = w.bot.count()
        w.send(f"message {i}")
        w.wait_bot(bots + 1)
    expect(w.lawyer).to_be_in_viewport()


def test_new_conversation_starts_a_fresh_sender(widget):
    w = widget
    start_conversation(w)
    old = w.sender()
    w.new_conversation.click()
    expect(w.panel.locator(".lac-log .lac-msg")).to_have_count(0)
    expect(w.input).to_be_focused()
    new = w.sender()
    assert new and new != old
    w.send("hello again")
    w.wait_bot(1)
    w.reload().open()
    expect(w.user.locator(".lac-bubble")).to_have_text(["hello again"])
    assert w.sender() == new


def test_emergency_message_is_highlighted(widget):
    double_only(widget.stack)
    w = widget.open()
    w.send("My ex threatened me, I'm in danger")
    w.wait_bot(1)

    def check():
        box = w.panel.locator(".lac-kind-emergency .lac-bubble")
        expect(box).to_have_count(1)
        expect(box).to_contain_text("call 911")
        expect(box).to_contain_text("Urgent")
        style = box.evaluate("el => { const s = getComputedStyle(el); return [s.borderTopColor, s.borderTopWidth]; }")
        assert style == ["rgb(185, 28, 28)", "2px"]
        assert contrast(w.page, ".lac-kind-emergency .lac-bubble") >= 4.5

    check()  # live reply
    w.reload().open()
    check()  # restored from the history


# ----------------------------------------------------------------------------- embedding


def test_embedded_on_another_origin_uses_its_own_script_origin(make_page, stack):
    """A page on another origin (a real HTTP server on localhost:<port>, the app on 127.0.0.1)
    embeds the widget with one absolute script tag; the widget calls the app, not the page's origin.
    (Both are loopback addresses: Chromium blocks a public page from reaching a loopback app.)"""
    page, guard = make_page()
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner</title>
      <style>button {{ background: hotpink; font-size: 40px; }} * {{ font-family: serif; }}</style></head>
      <body><h1>A partner organisation</h1>
      <script src="{stack.app_url}/widget.js"></script></body></html>""".encode()

    class PartnerPage(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), PartnerPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    partner = f"http://localhost:{server.server_address[1]}"
    guard.allowed_origins.add(partner)

    # The app's CORS headers are handled separately; add them here the way the app will.
    # (Playwright answers the CORS preflight of routed requests itself.)
    def cors(route):
        response = route.fetch()
        headers = dict(response.headers)
        headers["access-control-allow-origin"] = partner
        route.fulfill(response=response, headers=headers)

    page.route(f"{stack.app_url}/api/**", cors)
    api_calls = []
    page.on("request", lambda r: api_calls.append(r.url) if "/api/" in r.url else None)
    try:
        w = Widget(page, stack, guard).goto(f"{partner}/page.html")
        assert page.evaluate("() => location.origin") == partner
        assert page.evaluate("() => window.LegalAidChat.apiBase") == stack.app_url
        # The host page's global styles don't leak into the widget.
        assert w.launcher.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(29, 78, 216)"
        assert w.launcher.evaluate("el => getComputedStyle(el).fontSize") == "16px"
        start_conversation(w)
        fonts = w.panel.locator(".lac-bubble, .lac-title, .lac-chip").evaluate_all(
            "els => [...new Set(els.map(e => getComputedStyle(e).fontFamily))]"
        )
        assert len(fonts) == 1 and not fonts[0].startswith("serif"), fonts
        assert api_calls and all(url.startswith(stack.app_url + "/api/") for url in api_calls)
    finally:
        server.shutdown()
        server.server_close()


# ----------------------------------------------------------------------------- screenshots and small screens


def _fill_for_screenshot(w):
    w.open()
    if w.stack.is_double:
        w.send("My ex threatened me, I'm in danger")
        w.wait_bot(1)
    bots = w.bot.count()
    w.send("hello")
    w.wait_bot(bots + 1)
    w.chips.first.click()
    w.wait_bot(bots + 2)
    w.reload().open()
    w.page.wait_for_timeout(300)


def test_screenshots_desktop(widget_on, screenshots_dir):
    w = widget_on(viewport=DESKTOP)
    w.page.screenshot(path=str(screenshots_dir / "widget-desktop-closed.png"))
    _fill_for_screenshot(w)
    box = w.panel.bounding_box()
    assert box["width"] == 380 and box["x"] + box["width"] <= DESKTOP["width"]
    w.page.screenshot(path=str(screenshots_dir / "widget-desktop-open.png"))
    w.panel.locator(".lac-body").evaluate("el => { el.style.scrollBehavior = 'auto'; el.scrollTop = 0; }")
    w.page.screenshot(path=str(screenshots_dir / "widget-desktop-open-top.png"))
    with w.bot_down():
        w.send("Can I withhold rent?")
        expect(w.alert).to_be_visible()
        w.page.screenshot(path=str(screenshots_dir / "widget-desktop-retry.png"))
    w.retry.click()
    expect(w.alert).to_be_hidden()


def test_screenshots_phone_full_width(widget_on, screenshots_dir):
    w = widget_on(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = w.page
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(screenshots_dir / "widget-phone-closed.png"))
    _fill_for_screenshot(w)
    box = w.panel.bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, PHONE["width"], PHONE["height"])
    expect(w.launcher).to_be_hidden()  # covered by the full-screen panel; the header has Close
    expect(w.lawyer).to_be_in_viewport()
    expect(w.input).to_be_in_viewport()
    assert w.panel.evaluate("el => el.scrollWidth <= el.clientWidth")
    page.screenshot(path=str(screenshots_dir / "widget-phone-open.png"))
    w.close_button.click()
    expect(w.panel).to_be_hidden()
    expect(w.launcher).to_be_focused()

