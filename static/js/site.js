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

  // Looked up when needed: a re-shown form page replaces the body.
  function byId(id) { return document.getElementById(id); }
  function exitData(name) { var link = byId("quick-exit"); return link ? link.getAttribute(name) : ""; }

  var firstExit = byId("quick-exit");
  if (!firstExit) { return; }
  var exitUrl = firstExit.href;
  var SHIFT_PRESSES = 3;
  var SHIFT_WINDOW_MS = 5000;
  var ESCAPE_WINDOW_MS = 2000;
  var leaving = false;

  function showHint() {
    var hint = byId("exit-hint");
    if (hint) { hint.hidden = false; }
  }
  showHint();

  function announce(text) {
    var box = byId("exit-status");
    if (box) { box.textContent = text || ""; }
  }

  function leave() {
    if (leaving) { return; }
    leaving = true;
    // Hide everything before the browser has even started to navigate.
    document.documentElement.className += " leaving";
    document.body.style.display = "none";
    document.title = "";
    announce(exitData("data-leaving"));
    window.location.replace(exitUrl);
    // A late Escape can stop a page load; if we are still here, go again.
    window.setInterval(function () { window.location.replace(exitUrl); }, 4000);
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("#quick-exit")) {
      event.preventDefault();
      leave();
    }
  }, true);

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
      announce(exitData("data-escape-1"));
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
      announce(exitData("data-shift-" + (SHIFT_PRESSES - shiftCount)));
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
    event.preventDefault();
    window.location.replace(link.href);
    if (link.pathname === window.location.pathname && link.hash) {
      // A skip link or an error-summary link: no new history entry, and focus follows.
      var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (target) {
        if (!target.hasAttribute("tabindex") && !/^(INPUT|SELECT|TEXTAREA|A|BUTTON)$/.test(target.tagName)) {
          target.setAttribute("tabindex", "-1");
        }
        target.focus();
      }
    }
  });

  /* Forms are sent with fetch, and the next page replaces this one in the
   * history, so a whole journey adds no entries to the tab's history. A page
   * that comes back with errors replaces the body; if anything goes wrong,
   * the form is sent the ordinary way. */
  var sending = false;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    // getAttribute: a field named "method" or "action" would hide the properties.
    if (leaving || (form.getAttribute("method") || "").toLowerCase() !== "post" || !window.fetch ||
        !window.DOMParser || !window.URLSearchParams) { return; }
    event.preventDefault();
    if (sending) { return; }
    sending = true;
    fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      credentials: "same-origin",
      body: new URLSearchParams(new FormData(form))
    }).then(function (response) {
      if (leaving) { return; }
      return response.text().then(function (html) {
        // Only the body is swapped in: this page already has the <style> in its head.
        var page = new DOMParser().parseFromString(
          html.replace(/<style[\s\S]*?<\/style>/i, ""), "text/html");
        document.title = page.title;
        document.body.replaceWith(document.adoptNode(page.body));
        // The page we were sent on to takes this page's place in the history.
        if (response.redirected) { window.history.replaceState(null, "", response.url); }
        showHint();
        sending = false;
        window.scrollTo(0, 0);
        var summary = byId("error-summary");
        var heading = document.querySelector("main h1");
        if (summary) {
          summary.focus();
        } else if (heading) {
          heading.setAttribute("tabindex", "-1");
          heading.focus();
        }
      });
    }).catch(function (problem) {
      if (window.console) { window.console.error(problem); }
      sending = false;
      HTMLFormElement.prototype.submit.call(form);
    });
  });

  // A page shown again from the back-forward cache after an exit stays hidden.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && leaving) { window.location.replace(exitUrl); }
  });
}());
