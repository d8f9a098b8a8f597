/* Tin Cậy client helpers. No framework, no eval, no inline styles (strict CSP).
   Everything works without this file; it only adds safety on shared commune computers and weak networks.
   a. Quick exit: Esc pressed 3 times quickly submits form[data-quick-exit] (the button works without JS).
   b. Idle lock: body[data-idle-seconds] is the server's idle timeout. Times count from the last moment the
      server surely saw us (page request, keep-alive ping), so we lock before the server does and a draft
      still saves. Input pings /auth/ping at most once a minute; near the end #idle-warning shows; at the end
      form[data-draft-url] is saved, the session is ended and the page left, so the next user sees nothing.
   c. After an htmx swap, focus the first invalid field (if it has .field-error) or [data-autofocus], so
      screen-reader and keyboard users land on the change; never steal focus from a field being typed in.
   d. form[data-confirm]: ask before a destructive submit (capture phase, so htmx never sees a refusal). */
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
      // the page request reached the server after navigation start: count from there
      seen = Math.round(performance.timeOrigin || Date.now()),
      warnAt = (idle - Math.min(120, idle / 2)) * 1000,
      lockAt = (idle - Math.min(30, idle / 10)) * 1000;  // margin: the draft POST must beat the server

    var leave = function () { location.replace('/auth/login?expired=1'); };
    var lock = function (save) {
      if (locked) return;
      locked = true;
      var f = save && d.querySelector('form[data-draft-url]'),
        data = f && new FormData(f);
      b.hidden = true;  // hide person data at once, even if the network is slow
      setTimeout(leave, 15000);  // never wait longer than this on a dead network
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
      if (locked || Date.now() - seen < 60000) return;
      seen = Date.now();
      if (warn) warn.hidden = true;
      post('/auth/ping').then(function (r) {
        // session already gone on the server (other tab logged out, server restart): lock now
        if (r.status === 401 || (r.redirected && r.url.indexOf('/auth/login') >= 0)) lock(false);
      }, function () {});  // offline: keep counting from the last input
    };
    ['keydown', 'pointerdown', 'input', 'scroll'].forEach(function (t) {
      addEventListener(t, active, {capture: true, passive: true});
    });
    d.addEventListener('visibilitychange', tick);  // a phone waking up may be long past the timeout
    setInterval(tick, 1000);
  }

  // c. focus after htmx swaps (and after a full-page re-render with errors)
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
