"""The live-reload script, injected into HTML responses in serve mode only (never into files)."""

from __future__ import annotations

from sitegen.serve.events import EVENTS_PATH

OVERLAY_ID = "sitegen-build-error"

# Plain ES5 so any browser runs it. The overlay is built with textContent only: a problem's
# message may hold any text from a broken file and must never become markup.
SCRIPT = r"""<script data-sitegen-live data-generation="%(generation)d" data-events="%(events)s">
(function () {
  "use strict";
  var me = document.currentScript;
  var generation = me.getAttribute("data-generation");
  var url = me.getAttribute("data-events") + "?since=" + encodeURIComponent(generation);
  var source = new EventSource(url);
  function removeOverlay() {
    var old = document.getElementById("%(overlay)s");
    if (old) { old.parentNode.removeChild(old); }
  }
  function line(tag, text, style) {
    var node = document.createElement(tag);
    node.textContent = text;
    node.style.cssText = style || "";
    return node;
  }
  function showProblems(problems) {
    removeOverlay();
    var box = document.createElement("div");
    box.id = "%(overlay)s";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;" +
      "padding:2rem;background:rgba(32,0,0,.94);color:#fff;font:15px/1.5 ui-monospace," +
      "SFMono-Regular,Menlo,Consolas,monospace;text-align:left";
    box.appendChild(line("h2", "sitegen: the build failed",
                         "margin:0 0 1rem;font-size:1.3rem;color:#ff8a80"));
    for (var i = 0; i < problems.length; i++) {
      var p = problems[i];
      var where = p.file + (p.line ? ":" + p.line : "");
      var item = line("div", "", "margin:0 0 1rem");
      item.appendChild(line("div", where, "font-weight:bold;color:#ffd180"));
      item.appendChild(line("pre", (p.key ? p.key + ": " : "") + p.message,
                            "margin:.25rem 0 0;white-space:pre-wrap"));
      box.appendChild(item);
    }
    box.appendChild(line("p", "Showing the last good build. " +
                         "Save a fix and this page updates by itself.",
                         "margin-top:1.5rem;opacity:.8"));
    document.body.appendChild(box);
  }
  function changed(links, url) {  // the new URL of the sheet at `url`, if it changed
    var path = new URL(url, location.href).pathname;
    var key = path.replace(/\.[0-9a-f]{10}(\.css)$/, "$1");  // the name without its hash
    return Object.prototype.hasOwnProperty.call(links, key) ? links[key] : null;
  }
  function swapStylesheets(links) {
    // A sheet the page holds inline (the search page's) can only be had again with the page.
    var inline = document.querySelectorAll("style[data-sheet]");
    for (var j = 0; j < inline.length; j++) {
      if (changed(links, inline[j].getAttribute("data-sheet"))) { location.reload(); return; }
    }
    var nodes = document.querySelectorAll("link[rel~=stylesheet]");
    for (var i = 0; i < nodes.length; i++) {
      var next = changed(links, nodes[i].href);
      if (next) { nodes[i].href = next; }
    }
  }
  source.addEventListener("reload", function () { location.reload(); });
  source.addEventListener("css", function (event) {
    removeOverlay();
    swapStylesheets(JSON.parse(event.data).links);
  });
  source.addEventListener("error", function (event) {
    if (typeof event.data !== "string") { return; }  // a dropped connection, not a build error
    showProblems(JSON.parse(event.data).problems);
  });
})();
</script>
"""


def live_script(generation: int) -> bytes:
    values = {"generation": generation, "events": EVENTS_PATH, "overlay": OVERLAY_ID}
    return (SCRIPT % values).encode("utf-8")


def inject(html: bytes, generation: int) -> bytes:
    """The page with the live-reload script before its last </body> (or at the end)."""
    at = html.lower().rfind(b"</body")
    script = live_script(generation)
    return html + script if at < 0 else html[:at] + script + html[at:]
