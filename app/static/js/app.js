/* Tin Cậy client helpers: no framework, no eval, no inline styles (strict CSP). Pages work without
   this file; it adds safety for shared commune computers and copes with weak networks.
   a. Quick exit: Esc 3 times quickly submits form[data-quick-exit] (its button works without JS).
   b. Idle lock: body[data-idle-seconds] is the server's idle timeout. We count from the last time the
      server surely saw us (page request, keep-alive ping), so we lock before it does and a draft can still
      be saved. Input pings /auth/ping at most once a minute; near the end #idle-warning shows; at the end
      form[data-draft-url] is saved, the session ended and the page left: the next user sees nothing.
   c. After an htmx swap, focus the first invalid field (if there is a .field-error) or [data-autofocus];
      never steal focus from a field someone is typing in.
   d. form[data-confirm] asks before submitting; in capture phase, so htmx never sees a refused submit. */
(function () {
  'use strict';
  var d = document, b = d.body, csrf = b.dataset.csrf || '';

  function post(url, body) {
    return fetch(url, {method: 'POST', body: body, credentials: 'same-origin',
      headers: {'X-CSRFToken': csrf, 'HX-Request': 'false'}});
  }

  // a. quick exit
  var esc = 0, escAt = 0;
  d.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape' || e.repeat) return;
    var now = Date.now();
    esc = now - escAt < 1000 ? esc + 1 : 1;
    escAt = now;
    var f = d.querySelector('form[data-quick-exit]');
    if (esc >= 3 && f) f.submit();  // submit() skips submit handlers: nothing may delay the exit
  });

  // b. idle warning and lock
  var idle = +b.dataset.idleSeconds;
  if (idle > 0) {
    var warn = d.getElementById('idle-warning'), locked = false,
      // the server saw the page request after navigation start
      seen = Math.round(performance.timeOrigin || Date.now()),
      warnAt = (idle - Math.min(120, idle / 2)) * 1000,
      lockAt = (idle - Math.min(30, idle / 10)) * 1000;  // margin: the draft POST must beat the server

    var gap = Math.min(60000, idle * 250),  // ping at most once a minute (less on test timeouts)
      leave = function () { location.replace('/auth/login?expired=1'); };
    var lock = function (save) {
      if (locked) return;
      locked = true;
      var f = save && d.querySelector('form[data-draft-url]'),
        data = f && new FormData(f);
      b.hidden = true;  // hide person data at once, even if the network is slow
      setTimeout(leave, 15000);  // a dead network must not keep us here
      (f ? post(f.dataset.draftUrl, data) : Promise.resolve())
        .catch(function () {})
        .then(function () { return post('/auth/logout'); })  // ends the server session now
        .catch(function () {})
        .then(leave);
    };
    var tick = function () {
      var t = Date.now() - seen;
      if (t >= lockAt) lock(true);
      else if (warn) warn.hidden = t < warnAt;
    };
    var active = function () {
      if (locked || Date.now() - seen < gap) return;
      seen = Date.now();
      if (warn) warn.hidden = true;
      post('/auth/ping').then(function (r) {
        // the server session is already gone (logged out elsewhere): lock now
        if (r.status === 401 || (r.redirected && r.url.indexOf('/auth/login') >= 0)) lock(false);
      }, function () {});  // offline: keep counting from the last input
    };
    ['keydown', 'pointerdown', 'input', 'scroll'].forEach(function (t) {
      addEventListener(t, active, {capture: true, passive: true});
    });
    d.addEventListener('visibilitychange', tick);  // a phone waking up may be long past the timeout
    setInterval(tick, 1000);
  }

  // c. focus after htmx swaps, and on a full page re-rendered with errors
  function focusIn(root, errorsOnly) {
    var a = d.activeElement;
    if (a && a !== b && !root.contains(a) && a.matches('input,select,textarea')) return;
    var el = root.querySelector('.field-error') && root.querySelector('[aria-invalid="true"]');
    if (!el && !errorsOnly) el = root.matches('[data-autofocus]') ? root : root.querySelector('[data-autofocus]');
    if (!el) return;
    if (el.tabIndex < 0 && !el.hasAttribute('tabindex')) el.tabIndex = -1;  // e.g. a heading
    el.focus();
  }
  d.addEventListener('htmx:afterSettle', function (e) { if (e.target.matches) focusIn(e.target); });
  focusIn(b, true);

  // d. confirm destructive actions
  d.addEventListener('submit', function (e) {
    var m = e.target.dataset && e.target.dataset.confirm;
    if (m && !confirm(m)) { e.preventDefault(); e.stopPropagation(); }
  }, true);
})();
