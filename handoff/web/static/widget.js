/*!
 * LegalAid Chat web widget (vanilla JS, no dependencies, no external requests).
 *
 * Embed on any page with one tag:
 *     <script src="https://HOST/widget.js" defer></script>
 * Optional attribute: data-api-base="https://HOST" overrides the API base URL; by default
 * it is derived from this script's own src, so the widget works on any origin.
 *
 * CORS: when embedded on another origin, the widget calls HOST/api/chat (POST, JSON, with an
 * optional X-Display-Text header => a CORS preflight) and HOST/api/chat/history (GET). The
 * app must answer those with Access-Control-Allow-Origin for the embedding sites (an
 * allow-list, not "*" in production), Access-Control-Allow-Methods: GET, POST, OPTIONS and
 * Access-Control-Allow-Headers: Content-Type, X-Display-Text. The widget never sends cookies
 * (credentials: "omit"), so Access-Control-Allow-Credentials is not needed. CORS is handled by
 * the app, not here.
 * CSP: the CSS is injected in a <style> element; a site with a strict style-src can give this
 * script a nonce attribute, which is copied onto the <style> element.
 *
 * Security: everything a person or the bot writes is rendered with textContent, never as HTML.
 * Links (the `links` field and http(s) URLs found in text) open in a new tab with
 * rel="noopener noreferrer"; any scheme other than http/https is shown as plain text.
 *
 * Persistence: the conversation id ("sender") is random (crypto.randomUUID or
 * crypto.getRandomValues) and kept in localStorage; on open the history is restored from
 * GET /api/chat/history. Messages not yet delivered are kept in localStorage too, so nothing
 * typed is lost if the server is down or the page is reloaded.
 */
(function () {
  "use strict";

  if (window.__legalAidChatWidget) return;
  window.__legalAidChatWidget = true;

  var PREFIX = "legalaid-chat:";
  var KEY_SENDER = PREFIX + "sender";
  var KEY_OUTBOX = PREFIX + "outbox";
  var KEY_OPEN = PREFIX + "open";
  var SENDER_RE = /^[A-Za-z0-9_.:-]{1,128}$/;
  var MAX_CHARS = 5000;
  var REQUEST_TIMEOUT_MS = 45000;
  var LAWYER_PAYLOAD = "/request_lawyer";
  var LAWYER_TITLE = "Talk to a lawyer";
  var NOTICE = "This is general information, not legal advice. Please don't share sensitive details until asked.";
  var WELCOME =
    "Hi, I'm the LegalAid assistant. Tell me what your question is about (for example housing, family, work or debt) and I'll share general information or help you reach a lawyer.";

  // ---------------------------------------------------------------- configuration
  var script = document.currentScript || findOwnScript();
  var API_BASE = deriveApiBase(script);

  function findOwnScript() {
    var scripts = document.getElementsByTagName("script");
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/widget\.js(\?|#|$)/.test(scripts[i].src || "")) return scripts[i];
    }
    return null;
  }

  function deriveApiBase(el) {
    var override = el && el.getAttribute("data-api-base");
    var src = override || (el && el.src) || "";
    try {
      var url = new URL(src || "/", document.baseURI);
      if (override) return url.href.replace(/\/+$/, "");
      // ".../widget.js" or ".../static/widget.js" -> the app root that serves /api.
      var path = url.pathname.replace(/\/[^\/]*$/, "").replace(/\/static$/, "");
      return url.origin + path;
    } catch (e) {
      return "";
    }
  }

  // ---------------------------------------------------------------- storage (falls back to memory)
  function makeStore(getArea) {
    var memory = {};
    var area = null;
    try {
      area = getArea();
      area.setItem(PREFIX + "probe", "1");
      area.removeItem(PREFIX + "probe");
    } catch (e) {
      area = null; // blocked (privacy mode, third-party storage rules): keep it for this page only
    }
    return {
      get: function (key) {
        if (area) {
          try {
            return area.getItem(key);
          } catch (e) { /* fall through */ }
        }
        return Object.prototype.hasOwnProperty.call(memory, key) ? memory[key] : null;
      },
      set: function (key, value) {
        memory[key] = value;
        if (area) {
          try {
            area.setItem(key, value);
          } catch (e) { /* quota or blocked: memory copy remains */ }
        }
      },
      remove: function (key) {
        delete memory[key];
        if (area) {
          try {
            area.removeItem(key);
          } catch (e) { /* ignore */ }
        }
      },
    };
  }
  var store = makeStore(function () { return window.localStorage; });
  var session = makeStore(function () { return window.sessionStorage; });

  function newSenderId() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    // randomUUID needs a secure context; getRandomValues works everywhere: build a v4 UUID.
    var bytes = new Uint8Array(16);
    c.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = [];
    for (var i = 0; i < 16; i++) hex.push((bytes[i] + 0x100).toString(16).slice(1));
    return (
      hex.slice(0, 4).join("") + "-" + hex.slice(4, 6).join("") + "-" + hex.slice(6, 8).join("") + "-" +
      hex.slice(8, 10).join("") + "-" + hex.slice(10, 16).join("")
    );
  }

  function storedSender() {
    var id = store.get(KEY_SENDER);
    return id && SENDER_RE.test(id) ? id : null;
  }

  function ensureSender() {
    var id = storedSender();
    if (!id) {
      id = newSenderId();
      store.set(KEY_SENDER, id);
    }
    return id;
  }

  function loadOutbox() {
    try {
      var items = JSON.parse(store.get(KEY_OUTBOX) || "[]");
      if (!Array.isArray(items)) return [];
      return items.filter(function (item) {
        return item && typeof item.message === "string" && item.message.trim() && item.message.length <= MAX_CHARS;
      });
    } catch (e) {
      return [];
    }
  }

  function saveOutbox() {
    var plain = outbox.map(function (item) {
      return { message: item.message, display: item.display, created: item.created };
    });
    if (plain.length) store.set(KEY_OUTBOX, JSON.stringify(plain));
    else store.remove(KEY_OUTBOX);
  }

  // ---------------------------------------------------------------- DOM helpers
  var SVG_NS = "http://www.w3.org/2000/svg";
  var ICONS = {
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
    close: "M6 6l12 12M18 6L6 18",
    send: "M4 12l16-8-6 16-2.5-6.5L4 12z",
    restart: "M4 12a8 8 0 1 0 2.3-5.6M4 4v4h4",
    scale: "M12 3v18M7 21h10M5 7h14M5 7l-3 7a3 3 0 0 0 6 0L5 7zm14 0l-3 7a3 3 0 0 0 6 0l-3-7z",
    person: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 9a7 7 0 0 1 14 0",
    warning: "M12 3l10 18H2L12 3zm0 7v5m0 3v.5",
    info: "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zm0-11v6m0-9v.5",
    external: "M14 4h6v6M20 4l-9 9M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5",
  };

  function icon(name, cls) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "lac-icon" + (cls ? " " + cls : ""));
    var path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  function el(tag, cls, attrs, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (attrs) {
      for (var key in attrs) {
        if (Object.prototype.hasOwnProperty.call(attrs, key) && attrs[key] !== null && attrs[key] !== undefined) {
          node.setAttribute(key, attrs[key]);
        }
      }
    }
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function srOnly(text) {
    return el("span", "lac-sr-only", null, text);
  }

  // Only http(s) URLs become links; relative URLs resolve against the app that sent them.
  function safeUrl(raw) {
    if (typeof raw !== "string" || !raw.trim()) return null;
    try {
      var url = new URL(raw.trim(), API_BASE || window.location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function makeLink(href, label, cls) {
    var a = el("a", cls || "lac-link", { href: href, target: "_blank", rel: "noopener noreferrer" });
    a.appendChild(document.createTextNode(label));
    a.appendChild(srOnly(" (opens in a new tab)"));
    return a;
  }

  var URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;

  function trimUrl(url) {
    // Leave sentence punctuation outside the link; keep a ")" that closes a "(" inside the URL.
    while (/[.,;:!?'"\]}>]$/.test(url) || (/\)$/.test(url) && url.split("(").length <= url.split(")").length - 1)) {
      url = url.slice(0, -1);
    }
    return url;
  }

  // Appends text as text nodes, with http(s) URLs turned into safe links. Never parses HTML.
  function appendText(parent, text) {
    var last = 0;
    var match;
    URL_RE.lastIndex = 0;
    while ((match = URL_RE.exec(text)) !== null) {
      var raw = trimUrl(match[0]);
      var href = safeUrl(raw);
      if (!href) continue;
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      parent.appendChild(makeLink(href, raw, "lac-link lac-link--inline"));
      last = match.index + raw.length;
      URL_RE.lastIndex = last;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function kindClass(kind) {
    if (typeof kind !== "string") return "";
    var clean = kind.toLowerCase().replace(/[^a-z0-9_-]/g, "").slice(0, 32);
    return clean ? " lac-kind-" + clean : "";
  }

  // ---------------------------------------------------------------- styles
  var CSS = [
    ".lac-root{all:initial;position:fixed;z-index:2147483000;right:0;bottom:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;font-size:15px;line-height:1.45;color:#0f172a;-webkit-font-smoothing:antialiased}",
    ".lac-root *,.lac-root *::before,.lac-root *::after{box-sizing:border-box}",
    // Host pages may style bare elements (`* {...}`, `button {...}`): reset what would leak in.
    ".lac-root *{margin:0;padding:0;border:0;background:none;box-shadow:none;float:none;min-width:0;max-width:none;font-family:inherit;font-size:inherit;font-style:normal;line-height:inherit;color:inherit;letter-spacing:normal;word-spacing:normal;text-transform:none;text-align:left;text-indent:0;text-shadow:none;text-decoration:none;vertical-align:baseline}",
    ".lac-root button,.lac-root textarea{font:inherit;color:inherit;margin:0;letter-spacing:normal;text-transform:none}",
    ".lac-root [hidden]{display:none!important}",
    ".lac-root .lac-sr-only{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}",
    ".lac-root .lac-icon{width:20px;height:20px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round;flex:none}",
    // launcher
    ".lac-root .lac-launcher{position:fixed;right:24px;bottom:24px;display:inline-flex;align-items:center;gap:10px;padding:14px 22px 14px 18px;border:0;border-radius:999px;background:#1d4ed8;color:#fff;font-weight:600;font-size:16px;cursor:pointer;box-shadow:0 10px 25px -5px rgba(15,23,42,.35),0 4px 10px -4px rgba(15,23,42,.3);transition:transform .15s ease,background .15s ease}",
    ".lac-root .lac-launcher:hover{background:#1e40af;transform:translateY(-1px)}",
    ".lac-root .lac-launcher .lac-icon{width:22px;height:22px}",
    ".lac-root .lac-launcher:focus-visible{outline:3px solid #fff;outline-offset:0;box-shadow:0 0 0 6px #0f172a}",
    // panel
    ".lac-root .lac-panel{position:fixed;right:24px;bottom:96px;width:380px;height:min(640px,calc(100vh - 120px));display:flex;flex-direction:column;background:#fff;border-radius:18px;overflow:hidden;box-shadow:0 24px 48px -12px rgba(15,23,42,.35),0 0 0 1px rgba(15,23,42,.08)}",
    ".lac-root .lac-header{display:flex;align-items:center;gap:12px;padding:16px 14px 16px 18px;background:linear-gradient(135deg,#14305a,#1e3a8a);color:#fff}",
    ".lac-root .lac-avatar{display:flex;align-items:center;justify-content:center;width:40px;height:40px;border-radius:50%;background:rgba(255,255,255,.16);flex:none}",
    ".lac-root .lac-heading{flex:1;min-width:0}",
    ".lac-root .lac-title{margin:0;font-size:16px;font-weight:700;line-height:1.25;color:#fff}",
    ".lac-root .lac-subtitle{margin:2px 0 0;font-size:13px;color:#dbe4f5;display:flex;align-items:center;gap:6px}",
    ".lac-root .lac-online{width:8px;height:8px;border-radius:50%;background:#4ade80;display:inline-block}",
    ".lac-root .lac-close{display:inline-flex;align-items:center;justify-content:center;width:40px;height:40px;border:0;border-radius:10px;background:transparent;color:#fff;cursor:pointer}",
    ".lac-root .lac-close:hover{background:rgba(255,255,255,.14)}",
    ".lac-root .lac-header :focus-visible{outline:3px solid #fbbf24;outline-offset:1px}",
    // body
    ".lac-root .lac-body{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:16px 16px 8px;background:#f4f6fa;scroll-behavior:smooth}",
    ".lac-root .lac-body:focus-visible{outline:3px solid #1d4ed8;outline-offset:-3px}",
    ".lac-root .lac-notice{display:flex;gap:8px;align-items:flex-start;margin:0 0 14px;padding:9px 12px;border-radius:10px;background:#e8edf5;color:#334155;font-size:12.5px;line-height:1.4}",
    ".lac-root .lac-notice .lac-icon{width:16px;height:16px;margin-top:1px;color:#475569}",
    ".lac-root .lac-log{display:flex;flex-direction:column;gap:10px}",
    ".lac-root .lac-welcome{margin-bottom:10px}",
    ".lac-root .lac-history{display:contents}",
    ".lac-root .lac-msg{display:flex;flex-direction:column;max-width:86%}",
    ".lac-root .lac-msg--bot{align-self:flex-start;align-items:flex-start}",
    ".lac-root .lac-msg--user{align-self:flex-end;align-items:flex-end}",
    ".lac-root .lac-bubble{padding:10px 14px;border-radius:16px;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}",
    ".lac-root .lac-msg--bot .lac-bubble{background:#fff;color:#0f172a;border:1px solid #e2e8f0;border-bottom-left-radius:5px;box-shadow:0 1px 2px rgba(15,23,42,.06)}",
    ".lac-root .lac-msg--user .lac-bubble{background:#1d4ed8;color:#fff;border-bottom-right-radius:5px}",
    ".lac-root .lac-msg--user .lac-link{color:#fff}",
    ".lac-root .lac-status{margin-top:3px;font-size:12px;color:#475569}",
    ".lac-root .lac-msg--failed .lac-bubble{background:#fff;color:#0f172a;border:1.5px dashed #1d4ed8}",
    ".lac-root .lac-msg--failed .lac-status{color:#b91c1c;font-weight:600}",
    ".lac-root .lac-msg--pending .lac-bubble{opacity:.75}",
    ".lac-root .lac-kind-emergency .lac-bubble{background:#fef2f2;color:#7f1d1d;border:2px solid #b91c1c;border-radius:12px}",
    ".lac-root .lac-badge{display:flex;align-items:center;gap:6px;margin:0 0 4px;font-size:12px;font-weight:700;letter-spacing:.04em;text-transform:uppercase;color:#b91c1c}",
    ".lac-root .lac-badge .lac-icon{width:16px;height:16px}",
    ".lac-root .lac-kind-handoff .lac-bubble{border-left:4px solid #047857}",
    ".lac-root .lac-kind-disclaimer .lac-bubble{background:transparent;border:1px dashed #94a3b8;box-shadow:none;color:#334155;font-size:13px}",
    ".lac-root .lac-link{color:#1d4ed8;text-decoration:underline;text-underline-offset:2px;font-weight:500}",
    ".lac-root .lac-link:hover{text-decoration-thickness:2px}",
    ".lac-root .lac-link:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px;border-radius:3px}",
    ".lac-root .lac-msg--user .lac-link:focus-visible{outline-color:#fff}",
    ".lac-root .lac-links{list-style:none;margin:6px 0 0;padding:0;display:flex;flex-direction:column;gap:6px}",
    ".lac-root .lac-links .lac-link{display:inline-flex;align-items:center;gap:6px;padding:7px 12px;border-radius:10px;background:#fff;border:1px solid #cbd5e1;text-decoration:none;font-size:14px}",
    ".lac-root .lac-links .lac-link:hover{border-color:#1d4ed8;background:#eff6ff}",
    ".lac-root .lac-links .lac-icon{width:15px;height:15px}",
    ".lac-root .lac-quick{display:flex;flex-wrap:wrap;gap:8px;margin-top:8px}",
    ".lac-root .lac-chip{padding:7px 14px;border:1.5px solid #1d4ed8;border-radius:999px;background:#fff;color:#1d4ed8;font-size:14px;font-weight:600;line-height:1.3;cursor:pointer;text-align:left;transition:background .12s ease,color .12s ease}",
    ".lac-root .lac-chip:hover{background:#1d4ed8;color:#fff}",
    ".lac-root .lac-chip:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}",
    ".lac-root .lac-chip:disabled{cursor:default;opacity:.55}",
    // typing indicator
    ".lac-root .lac-typing{display:flex;align-items:center;gap:5px;width:max-content;margin:10px 0 4px;padding:12px 14px;border-radius:16px;border-bottom-left-radius:5px;background:#fff;border:1px solid #e2e8f0}",
    ".lac-root .lac-dot{width:7px;height:7px;border-radius:50%;background:#64748b;animation:lac-bounce 1.2s infinite ease-in-out}",
    ".lac-root .lac-dot:nth-child(2){animation-delay:.15s}.lac-root .lac-dot:nth-child(3){animation-delay:.3s}",
    "@keyframes lac-bounce{0%,60%,100%{transform:translateY(0);opacity:.5}30%{transform:translateY(-4px);opacity:1}}",
    // alert + retry
    ".lac-root .lac-alert{display:flex;align-items:center;gap:10px;margin:0 12px 8px;padding:10px 12px;border-radius:12px;background:#fff7ed;border:1.5px solid #c2410c;color:#7c2d12;font-size:13.5px}",
    ".lac-root .lac-alert-text{flex:1;margin:0}",
    ".lac-root .lac-retry{flex:none;padding:7px 14px;border:0;border-radius:999px;background:#c2410c;color:#fff;font-weight:700;font-size:13.5px;cursor:pointer}",
    ".lac-root .lac-retry:hover{background:#9a3412}",
    ".lac-root .lac-retry:focus-visible{outline:3px solid #9a3412;outline-offset:2px}",
    // composer + footer
    ".lac-root .lac-composer{display:flex;align-items:flex-end;gap:8px;margin:0;padding:10px 12px 6px;border-top:1px solid #e2e8f0;background:#fff}",
    ".lac-root .lac-input{flex:1;min-height:44px;max-height:128px;resize:none;padding:11px 14px;border:1.5px solid #94a3b8;border-radius:14px;background:#fff;color:#0f172a;font-size:15px;line-height:1.4;overflow-y:auto}",
    ".lac-root .lac-input::placeholder{color:#64748b;opacity:1}",
    ".lac-root .lac-input:focus{outline:none;border-color:#1d4ed8;box-shadow:0 0 0 3px rgba(29,78,216,.35)}",
    ".lac-root .lac-send{display:inline-flex;align-items:center;justify-content:center;width:44px;height:44px;flex:none;border:0;border-radius:50%;background:#1d4ed8;color:#fff;cursor:pointer}",
    ".lac-root .lac-send:hover{background:#1e40af}",
    ".lac-root .lac-send:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}",
    ".lac-root .lac-send .lac-icon{width:19px;height:19px;margin-left:-2px}",
    ".lac-root .lac-footer{display:flex;align-items:center;justify-content:space-between;gap:8px;padding:4px 10px 10px;background:#fff}",
    ".lac-root .lac-action{display:inline-flex;align-items:center;gap:6px;padding:6px 10px;white-space:nowrap;border:0;border-radius:999px;background:transparent;color:#334155;font-size:13px;font-weight:600;cursor:pointer}",
    ".lac-root .lac-action .lac-icon{width:16px;height:16px}",
    ".lac-root .lac-action:hover{background:#f1f5f9;color:#0f172a}",
    ".lac-root .lac-action:focus-visible{outline:3px solid #1d4ed8;outline-offset:1px}",
    ".lac-root .lac-action--lawyer{background:#ecfdf5;color:#065f46;border:1px solid #a7f3d0}",
    ".lac-root .lac-action--lawyer:hover{background:#d1fae5;color:#064e3b}",
    // small screens: the panel takes the whole screen
    "@media (max-width:480px){.lac-root .lac-panel{left:0;right:0;top:0;bottom:0;width:100%;height:100%;border-radius:0}.lac-root.lac-open .lac-launcher{display:none}.lac-root .lac-launcher{right:16px;bottom:16px}.lac-root .lac-input{font-size:16px}.lac-root .lac-msg{max-width:90%}}",
    "@media (prefers-reduced-motion:reduce){.lac-root .lac-dot{animation:none;opacity:.8}.lac-root .lac-launcher,.lac-root .lac-chip{transition:none}.lac-root .lac-body{scroll-behavior:auto}}",
  ].join("\n");

  function injectStyles() {
    if (document.getElementById("lac-styles")) return;
    var style = el("style", null, { id: "lac-styles" });
    var nonce = script && (script.nonce || script.getAttribute("nonce"));
    if (nonce) style.setAttribute("nonce", nonce);
    style.textContent = CSS;
    (document.head || document.documentElement).appendChild(style);
  }

  // ---------------------------------------------------------------- state
  var ui = {};
  var outbox = []; // [{message, display, created, node}] waiting to be delivered, oldest first
  var sending = false;
  var blocked = false; // a delivery failed: wait for Retry
  var historyState = "idle"; // idle | loading | done | failed
  var inflight = null;
  var generation = 0; // bumps on "New conversation" so late answers of the old one are ignored

  // ---------------------------------------------------------------- building the widget
  function build() {
    var root = el("div", "lac-root", { "data-lac": "widget" });

    var launcher = el("button", "lac-launcher", { type: "button", "aria-expanded": "false", "aria-controls": "lac-panel" });
    launcher.appendChild(icon("chat"));
    launcher.appendChild(el("span", "lac-launcher-label", null, "Legal help chat"));

    var panel = el("div", "lac-panel", { id: "lac-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "lac-title" });
    panel.hidden = true;

    var header = el("div", "lac-header");
    var avatar = el("div", "lac-avatar");
    avatar.appendChild(icon("scale"));
    var heading = el("div", "lac-heading");
    heading.appendChild(el("h2", "lac-title", { id: "lac-title" }, "LegalAid assistant"));
    var subtitle = el("p", "lac-subtitle");
    subtitle.appendChild(el("span", "lac-online", { "aria-hidden": "true" }));
    subtitle.appendChild(document.createTextNode("Free general legal information"));
    heading.appendChild(subtitle);
    var close = el("button", "lac-close", { type: "button", "aria-label": "Close chat", title: "Close chat" });
    close.appendChild(icon("close"));
    header.appendChild(avatar);
    header.appendChild(heading);
    header.appendChild(close);

    var body = el("div", "lac-body", { role: "region", "aria-label": "Conversation", tabindex: "0" });
    var notice = el("p", "lac-notice");
    notice.appendChild(icon("info"));
    notice.appendChild(el("span", null, null, NOTICE));
    var welcome = el("div", "lac-msg lac-msg--bot lac-welcome");
    welcome.appendChild(srOnly("LegalAid assistant: "));
    welcome.appendChild(el("div", "lac-bubble", null, WELCOME));
    var log = el("div", "lac-log", { role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "Messages" });
    var history = el("div", "lac-history");
    log.appendChild(history);
    var typing = el("div", "lac-typing", { role: "status" });
    typing.appendChild(srOnly("LegalAid assistant is typing\u2026"));
    for (var i = 0; i < 3; i++) typing.appendChild(el("span", "lac-dot", { "aria-hidden": "true" }));
    typing.hidden = true;
    body.appendChild(notice);
    body.appendChild(welcome);
    body.appendChild(log);
    body.appendChild(typing);

    var alertBox = el("div", "lac-alert", { role: "alert" });
    var alertText = el("p", "lac-alert-text");
    var retry = el("button", "lac-retry", { type: "button" }, "Retry");
    alertBox.appendChild(alertText);
    alertBox.appendChild(retry);
    alertBox.hidden = true;

    var form = el("form", "lac-composer", { novalidate: "" });
    var label = el("label", "lac-sr-only", { for: "lac-input" }, "Type your message");
    var input = el("textarea", "lac-input", {
      id: "lac-input",
      rows: "1",
      maxlength: String(MAX_CHARS),
      placeholder: "Type your question\u2026",
      autocomplete: "off",
      enterkeyhint: "send",
    });
    var send = el("button", "lac-send", { type: "submit", "aria-label": "Send message", title: "Send message" });
    send.appendChild(icon("send"));
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(send);

    var footer = el("div", "lac-footer");
    var lawyer = el("button", "lac-action lac-action--lawyer", { type: "button" });
    lawyer.appendChild(icon("person"));
    lawyer.appendChild(document.createTextNode(LAWYER_TITLE));
    var restart = el("button", "lac-action lac-action--restart", { type: "button" });
    restart.appendChild(icon("restart"));
    restart.appendChild(document.createTextNode("New conversation"));
    footer.appendChild(lawyer);
    footer.appendChild(restart);

    panel.appendChild(header);
    panel.appendChild(body);
    panel.appendChild(alertBox);
    panel.appendChild(form);
    panel.appendChild(footer);
    root.appendChild(panel);
    root.appendChild(launcher);
    document.body.appendChild(root);

    ui = {
      root: root, launcher: launcher, panel: panel, body: body, log: log, history: history, typing: typing,
      alert: alertBox, alertText: alertText, retry: retry, form: form, input: input, close: close,
      lawyer: lawyer, restart: restart,
    };

    launcher.addEventListener("click", function () {
      if (panel.hidden) open(true);
      else closePanel();
    });
    close.addEventListener("click", closePanel);
    root.addEventListener("keydown", function (event) {
      if ((event.key === "Escape" || event.key === "Esc") && !panel.hidden) {
        event.preventDefault();
        closePanel();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitInput();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        submitInput();
      }
    });
    input.addEventListener("input", autoGrow);
    retry.addEventListener("click", onRetry);
    lawyer.addEventListener("click", function () {
      enqueue(LAWYER_PAYLOAD, LAWYER_TITLE);
      input.focus();
    });
    restart.addEventListener("click", newConversation);
  }

  function autoGrow() {
    var input = ui.input;
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 3, 128) + "px";
  }

  function scrollToBottom() {
    ui.body.scrollTop = ui.body.scrollHeight;
  }

  // ---------------------------------------------------------------- open / close
  function open(moveFocus) {
    ui.panel.hidden = false;
    ui.root.classList.add("lac-open");
    ui.launcher.setAttribute("aria-expanded", "true");
    session.set(KEY_OPEN, "1");
    if (historyState === "idle") loadHistory();
    scrollToBottom();
    if (moveFocus) ui.input.focus();
  }

  function closePanel() {
    ui.panel.hidden = true;
    ui.root.classList.remove("lac-open");
    ui.launcher.setAttribute("aria-expanded", "false");
    session.remove(KEY_OPEN);
    ui.launcher.focus();
  }

  // ---------------------------------------------------------------- rendering messages
  function renderUser(text, container) {
    var node = el("div", "lac-msg lac-msg--user");
    node.appendChild(srOnly("You: "));
    var bubble = el("div", "lac-bubble");
    appendText(bubble, text);
    node.appendChild(bubble);
    (container || ui.log).appendChild(node);
    return node;
  }

  function renderBot(message, container, withButtons) {
    var text = typeof message.text === "string" ? message.text : "";
    var links = Array.isArray(message.links) ? message.links : [];
    var buttons = withButtons && Array.isArray(message.buttons) ? message.buttons : [];
    var node = el("div", "lac-msg lac-msg--bot" + kindClass(message.kind));
    node.appendChild(srOnly(message.kind === "emergency" ? "LegalAid assistant, urgent: " : "LegalAid assistant: "));
    if (text) {
      var bubble = el("div", "lac-bubble");
      if (message.kind === "emergency") {
        var badge = el("div", "lac-badge", { "aria-hidden": "true" });
        badge.appendChild(icon("warning"));
        badge.appendChild(document.createTextNode("Urgent"));
        bubble.appendChild(badge);
      }
      appendText(bubble, text);
      node.appendChild(bubble);
    }
    var list = el("ul", "lac-links");
    links.forEach(function (link) {
      if (!link || typeof link !== "object") return;
      var href = safeUrl(link.url);
      if (!href) return;
      var label = typeof link.title === "string" && link.title.trim() ? link.title.trim() : href;
      var item = el("li");
      var a = makeLink(href, label);
      a.insertBefore(icon("external"), a.firstChild);
      item.appendChild(a);
      list.appendChild(item);
    });
    if (list.childNodes.length) node.appendChild(list);
    var valid = buttons.filter(function (b) {
      return b && typeof b.payload === "string" && b.payload.trim() && b.payload.length <= MAX_CHARS;
    });
    if (valid.length) {
      var group = el("div", "lac-quick", { role: "group", "aria-label": "Suggested replies" });
      valid.forEach(function (b) {
        var title = typeof b.title === "string" && b.title.trim() ? b.title.trim() : b.payload;
        var chip = el("button", "lac-chip", { type: "button" }, title);
        chip.addEventListener("click", function () {
          removeQuickReplies();
          enqueue(b.payload, title);
          ui.input.focus();
        });
        group.appendChild(chip);
      });
      node.appendChild(group);
    }
    if (!node.querySelector(".lac-bubble, .lac-links, .lac-quick")) return null;
    (container || ui.log).appendChild(node);
    return node;
  }

  // Quick replies answer the latest bot turn only: once one is used (or anything is sent) they go.
  function removeQuickReplies() {
    var groups = ui.log.querySelectorAll(".lac-quick");
    for (var i = 0; i < groups.length; i++) {
      var chips = groups[i].querySelectorAll("button");
      for (var j = 0; j < chips.length; j++) chips[j].disabled = true;
      groups[i].parentNode.removeChild(groups[i]);
    }
  }

  function setItemStatus(item, status) {
    if (!item.node) return;
    var labels = { failed: "Not sent yet", waiting: "Waiting to send\u2026", rejected: "Not sent" };
    item.node.classList.toggle("lac-msg--failed", status === "failed" || status === "rejected");
    item.node.classList.toggle("lac-msg--pending", status === "waiting");
    var old = item.node.querySelector(".lac-status");
    if (old) old.parentNode.removeChild(old);
    if (labels[status]) item.node.appendChild(el("span", "lac-status", null, labels[status]));
  }

  function showTyping(on) {
    ui.typing.hidden = !on;
    if (on) scrollToBottom();
  }

  function showAlert(text, retryLabel) {
    ui.alertText.textContent = text;
    ui.retry.textContent = retryLabel || "Retry";
    ui.alert.hidden = false;
  }

  function hideAlert() {
    ui.alert.hidden = true;
  }

  // ---------------------------------------------------------------- network
  function request(method, path, body, headers) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = setTimeout(function () {
      if (controller) controller.abort();
    }, REQUEST_TIMEOUT_MS);
    inflight = controller;
    return fetch(API_BASE + path, {
      method: method,
      headers: headers,
      body: body,
      signal: controller ? controller.signal : undefined,
      credentials: "omit",
      cache: "no-store",
      mode: "cors",
    })
      .then(
        function (response) {
          return response
            .json()
            .catch(function () { return null; })
            .then(function (data) {
              if (!response.ok) {
                var err = new Error("HTTP " + response.status);
                err.status = response.status;
                err.detail = data && typeof data.detail === "string" ? data.detail : null;
                throw err;
              }
              return data;
            });
        },
        function (networkError) {
          var err = new Error("network");
          err.status = 0;
          err.aborted = networkError && networkError.name === "AbortError";
          throw err;
        }
      )
      .then(
        function (data) {
          clearTimeout(timer);
          if (inflight === controller) inflight = null;
          return data;
        },
        function (err) {
          clearTimeout(timer);
          if (inflight === controller) inflight = null;
          throw err;
        }
      );
  }

  // Header values must be Latin-1 without control characters: typographic punctuation is mapped
  // to ASCII; a title that still doesn't fit is not sent (history then shows the payload instead).
  var TYPOGRAPHIC = { "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " " };
  function displayHeader(display) {
    if (!display) return null;
    var value = String(display);
    if (value.normalize) value = value.normalize("NFC");
    value = value
      .replace(/[\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0]/g, function (c) { return TYPOGRAPHIC[c]; })
      .replace(/[\u0000-\u001f\u007f]+/g, " ")
      .trim()
      .slice(0, 200);
    return value && /^[\u0020-\u00ff]*$/.test(value) ? value : null;
  }

  function failureMessage(err) {
    if (err.status === 429) return "You're sending messages a little fast. Please wait a moment, then press Retry.";
    if (err.status === 503) return "The assistant is temporarily unavailable. Your message is saved: press Retry in a moment.";
    if (err.status >= 500) return "Something went wrong on our side. Your message is saved: press Retry to send it again.";
    return "We couldn't reach the LegalAid assistant. Check your connection; your message is saved: press Retry to send it.";
  }

  // ---------------------------------------------------------------- sending
  function submitInput() {
    var text = ui.input.value;
    if (!text.trim()) return;
    if (text.length > MAX_CHARS) text = text.slice(0, MAX_CHARS);
    ui.input.value = "";
    autoGrow();
    removeQuickReplies();
    enqueue(text, null);
  }

  function enqueue(message, display) {
    if (typeof message !== "string" || !message.trim()) return;
    if (historyState === "idle") loadHistory();
    removeQuickReplies();
    var item = { message: message, display: display || null, created: Date.now() / 1000 };
    outbox.push(item);
    saveOutbox();
    item.node = renderUser(item.display || item.message);
    if (blocked || sending || historyState === "loading") setItemStatus(item, blocked ? "failed" : "waiting");
    scrollToBottom();
    pump();
  }

  function pump() {
    if (sending || blocked || historyState === "loading" || !outbox.length) return;
    var item = outbox[0];
    var gen = generation;
    sending = true;
    setItemStatus(item, null);
    showTyping(true);
    var headers = { "Content-Type": "application/json", Accept: "application/json" };
    var display = displayHeader(item.display);
    if (display) headers["X-Display-Text"] = display;
    var body = JSON.stringify({ sender: ensureSender(), message: item.message });
    request("POST", "/api/chat", body, headers).then(
      function (data) {
        if (gen !== generation) return;
        sending = false;
        showTyping(false);
        outbox.shift();
        saveOutbox();
        var messages = data && Array.isArray(data.messages) ? data.messages : [];
        messages.forEach(function (m) {
          // Buttons belong to the latest turn; they are only shown if nothing else is queued.
          renderBot(m || {}, null, outbox.length === 0);
        });
        scrollToBottom();
        pump();
      },
      function (err) {
        if (gen !== generation) return;
        sending = false;
        showTyping(false);
        if (err.status && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429) {
          // The server refused this message as it is (e.g. validation): retrying can't help.
          outbox.shift();
          saveOutbox();
          var restored = !item.display && !ui.input.value;
          if (restored) {
            // Nothing is lost: the text goes back into the box to be edited.
            if (item.node && item.node.parentNode) item.node.parentNode.removeChild(item.node);
            ui.input.value = item.message;
            autoGrow();
          } else {
            setItemStatus(item, "rejected");
          }
          showAlert(
            (err.detail ? err.detail + " " : "That message couldn't be sent. ") +
              (restored ? "Your text is back in the message box so you can change it." : ""),
            "OK"
          );
          ui.retry.dataset.mode = "dismiss";
          pump();
          return;
        }
        blocked = true;
        outbox.forEach(function (queued) { setItemStatus(queued, "failed"); });
        showAlert(failureMessage(err), "Retry");
        ui.retry.dataset.mode = "send";
        scrollToBottom();
      }
    );
  }

  function onRetry() {
    var mode = ui.retry.dataset.mode;
    hideAlert();
    if (mode === "history") {
      // Reload the history, then deliver whatever is waiting.
      blocked = false;
      outbox.forEach(function (queued) { setItemStatus(queued, "waiting"); });
      historyState = "idle";
      loadHistory();
      return;
    }
    if (mode === "dismiss") {
      ui.input.focus();
      return;
    }
    blocked = false;
    outbox.forEach(function (queued, i) { setItemStatus(queued, i === 0 ? null : "waiting"); });
    pump();
    ui.input.focus();
  }

  // ---------------------------------------------------------------- history
  function loadHistory() {
    var sender = storedSender();
    var gen = generation;
    if (!sender) {
      historyState = "done";
      restoreOutbox([]);
      return;
    }
    historyState = "loading";
    ui.log.setAttribute("aria-busy", "true");
    showTyping(true);
    request("GET", "/api/chat/history?sender=" + encodeURIComponent(sender), undefined, { Accept: "application/json" }).then(
      function (data) {
        if (gen !== generation) return;
        var items = data && Array.isArray(data.messages) ? data.messages : [];
        renderHistory(items);
        historyState = "done";
        if (ui.retry.dataset.mode === "history") hideAlert();
        ui.log.removeAttribute("aria-busy");
        showTyping(false);
        restoreOutbox(items);
        scrollToBottom();
        pump();
      },
      function () {
        if (gen !== generation) return;
        historyState = "failed";
        ui.log.removeAttribute("aria-busy");
        showTyping(false);
        restoreOutbox([]);
        showAlert(
          outbox.length
            ? "We couldn't reach the assistant. Your unsent messages are kept: press Retry to load the conversation and send them."
            : "We couldn't load your earlier messages. You can still write; press Retry to load them.",
          "Retry"
        );
        ui.retry.dataset.mode = "history";
      }
    );
  }

  // The server's history is the source of truth: it replaces whatever was shown, and the
  // messages still waiting to be delivered follow it.
  function renderHistory(items) {
    while (ui.history.firstChild) ui.history.removeChild(ui.history.firstChild);
    var child = ui.history.nextSibling;
    while (child) {
      var next = child.nextSibling;
      ui.log.removeChild(child);
      child = next;
    }
    outbox.forEach(function (item) {
      if (item.node) ui.log.appendChild(item.node);
    });
    var lastUser = -1;
    items.forEach(function (m, i) {
      if (m && m.role === "user") lastUser = i;
    });
    var live = outbox.length > 0;
    items.forEach(function (m, i) {
      if (!m || typeof m !== "object") return;
      if (m.role === "user") {
        if (typeof m.text === "string" && m.text) renderUser(m.text, ui.history);
      } else if (m.role === "bot") {
        renderBot(m, ui.history, i > lastUser && !live);
      }
    });
  }

  // Undelivered messages from before a reload: show them again, ready to be retried.
  var outboxRestored = false;
  function restoreOutbox(historyItems) {
    if (outboxRestored) return;
    outboxRestored = true;
    var saved = loadOutbox();
    if (!saved.length) return;
    // A message that reached the bot just before the reload is already in the history.
    var delivered = {};
    historyItems.forEach(function (m) {
      if (m && m.role === "user" && typeof m.text === "string") delivered[m.text] = Math.max(delivered[m.text] || 0, m.timestamp || 0);
    });
    saved = saved.filter(function (item) {
      var seen = delivered[item.display || item.message];
      return !(seen && item.created && seen >= item.created - 120);
    });
    var fresh = outbox.slice();
    outbox = [];
    saved.forEach(function (item) {
      var restored = { message: item.message, display: item.display || null, created: item.created || 0 };
      restored.node = renderUser(restored.display || restored.message);
      outbox.push(restored);
    });
    if (outbox.length) {
      // Keep them before anything typed since the reload.
      fresh.forEach(function (item) {
        if (item.node) ui.log.appendChild(item.node);
        outbox.push(item);
      });
      saveOutbox();
      removeQuickReplies();
      blocked = true;
      outbox.forEach(function (queued) { setItemStatus(queued, "failed"); });
      showAlert("Some of your messages weren't sent yet. Press Retry to send them now.", "Retry");
      ui.retry.dataset.mode = "send";
    } else {
      outbox = fresh;
    }
  }

  // ---------------------------------------------------------------- new conversation
  function newConversation() {
    generation++;
    if (inflight) {
      try {
        inflight.abort();
      } catch (e) { /* ignore */ }
    }
    inflight = null;
    sending = false;
    blocked = false;
    outbox = [];
    saveOutbox();
    store.set(KEY_SENDER, newSenderId());
    historyState = "done";
    outboxRestored = true;
    hideAlert();
    showTyping(false);
    ui.log.removeAttribute("aria-busy");
    while (ui.log.firstChild) ui.log.removeChild(ui.log.firstChild);
    while (ui.history.firstChild) ui.history.removeChild(ui.history.firstChild);
    ui.log.appendChild(ui.history);
    ui.input.value = "";
    autoGrow();
    ui.body.scrollTop = 0;
    ui.input.focus();
  }

  // ---------------------------------------------------------------- start
  function start() {
    injectStyles();
    build();
    if (session.get(KEY_OPEN) === "1") open(false);
  }

  // Small hook for tests and host pages: open the chat programmatically.
  window.LegalAidChat = {
    open: function () { if (ui.panel) open(true); },
    close: function () { if (ui.panel && !ui.panel.hidden) closePanel(); },
    apiBase: API_BASE,
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
