/* Quiet Door: the quick exit, and moving between pages without leaving history.
 *
 * Leave by the button, by Shift pressed 3 times, or by Escape pressed twice.
 * Leaving hides the page at once, then replaces it in the tab's history with
 * /exit, which clears this site's data and sends the browser to a neutral
 * site. Links between our own pages replace the current entry too, so that
 * Back after an exit never lands on one of our pages.
 */
(function () {
  "use strict";

  var exitLink = document.getElementById("quick-exit");
  if (!exitLink) { return; }
  var exitUrl = exitLink.href;
  var statusBox = document.getElementById("exit-status");
  var hint = document.getElementById("exit-hint");
  var SHIFT_PRESSES = 3;
  var SHIFT_WINDOW_MS = 5000;
  var ESCAPE_WINDOW_MS = 2000;
  var leaving = false;

  if (hint) { hint.hidden = false; }

  function announce(text) {
    if (statusBox) { statusBox.textContent = text || ""; }
  }

  function leave() {
    if (leaving) { return; }
    leaving = true;
    // Hide everything before the browser has even started to navigate.
    document.documentElement.className += " leaving";
    document.body.style.display = "none";
    document.title = "";
    announce(exitLink.getAttribute("data-leaving"));
    window.location.replace(exitUrl);
    // A late Escape can stop a page load; if we are still here, go again.
    window.setInterval(function () { window.location.replace(exitUrl); }, 4000);
  }

  exitLink.addEventListener("click", function (event) {
    event.preventDefault();
    leave();
  });

  /* Shift 3 times: a Shift that is pressed and released with no other key in
   * between counts; any other key (a capital letter, say) starts again. */
  var shiftCount = 0;
  var shiftFirstAt = 0;
  var shiftClean = false;
  var escapeAt = 0;

  function resetShift() {
    if (shiftCount > 0) { announce(""); }
    shiftCount = 0;
    shiftClean = false;
  }

  document.addEventListener("keydown", function (event) {
    if (leaving) {
      // Keys pressed after the exit has started must not stop it.
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (event.key === "Shift") {
      if (!event.repeat) { shiftClean = true; }
      return;
    }
    resetShift();
    if (event.key === "Escape" || event.key === "Esc") {
      var now = Date.now();
      if (escapeAt && now - escapeAt <= ESCAPE_WINDOW_MS) {
        event.preventDefault();
        leave();
        return;
      }
      escapeAt = now;
      announce(exitLink.getAttribute("data-escape-1"));
    } else {
      escapeAt = 0;
    }
  }, true);

  document.addEventListener("keyup", function (event) {
    if (leaving || event.key !== "Shift") { return; }
    if (!shiftClean) { return; }
    shiftClean = false;
    var now = Date.now();
    if (shiftCount === 0 || now - shiftFirstAt > SHIFT_WINDOW_MS) {
      shiftCount = 0;
      shiftFirstAt = now;
    }
    shiftCount += 1;
    if (shiftCount >= SHIFT_PRESSES) {
      leave();
    } else {
      announce(exitLink.getAttribute("data-shift-" + (SHIFT_PRESSES - shiftCount)));
    }
  }, true);

  // Typing on a phone's keyboard (whose Shift key may report as Shift) resets the count.
  document.addEventListener("input", resetShift, true);

  /* Our own links replace the current history entry instead of adding one. */
  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) { return; }
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || link.target || link.hasAttribute("download")) { return; }
    if (link.origin !== window.location.origin) { return; }
    if (link.pathname === window.location.pathname && link.hash) { return; }  // same-page anchor
    event.preventDefault();
    window.location.replace(link.href);
  });

  // A page shown again from the back-forward cache after an exit stays hidden.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && leaving) { window.location.replace(exitUrl); }
  });
}());
