/* Tin Cậy client helpers. No framework, eval or inline styles (strict CSP); pages work without it.
   Why: shared commune computers (the next user must see nothing) and weak mobile networks.
   a. Quick exit: Esc 3 times quickly submits form[data-quick-exit].
   b. Idle lock (body[data-idle-seconds] = server idle timeout): time counts from when the server surely
      saw us (page request, /auth/ping), so we lock before it does and the draft (form[data-draft-url])
      still saves. Input pings at most once a minute; #idle-warning shows near the end.
   c. After an htmx swap, focus the first invalid field or [data-autofocus], unless someone is typing.
   d. form[data-confirm] asks first; capture phase, so htmx never sees a refused submit. */
(() => {
  'use strict';
  const d = document, b = d.body, csrf = b.dataset.csrf || '';  // same ES level as htmx 2
  const post = (url, body) => fetch(url, {method: 'POST', body, credentials: 'same-origin',
    headers: {'X-CSRFToken': csrf, 'HX-Request': 'false'}});

  // a. quick exit
  let esc = 0, escAt = 0;
  d.addEventListener('keydown', e => {
    if (e.key !== 'Escape' || e.repeat) return;
    esc = Date.now() - escAt < 1000 ? esc + 1 : 1;
    escAt = Date.now();
    // submit() runs no handlers: nothing may delay the exit
    if (esc > 2) d.querySelector('form[data-quick-exit]')?.submit();
  });

  // b. idle warning and lock
  const idle = +b.dataset.idleSeconds;
  if (idle > 0) {
    const warn = d.getElementById('idle-warning'),
      warnAt = (idle - Math.min(120, idle / 2)) * 1000,
      lockAt = (idle - Math.min(30, idle / 10)) * 1000,  // the draft must reach a live session
      gap = Math.min(60000, idle * 250),  // less on tiny test timeouts
      leave = () => location.replace('/auth/login?expired=1');
    let locked = false,
      seen = Math.round(performance.timeOrigin || Date.now());  // page request came after this

    const lock = save => {
      if (locked) return;
      locked = true;
      const f = save && d.querySelector('form[data-draft-url]'), data = f && new FormData(f);
      b.hidden = true;  // hide person data now
      setTimeout(leave, 15000);  // a dead network must not keep us here
      (f ? post(f.dataset.draftUrl, data) : Promise.resolve()).catch(() => {})
        .then(() => post('/auth/logout')).catch(() => {})  // end the server session now
        .then(leave);
    };
    const tick = () => {
      const t = Date.now() - seen;
      if (t >= lockAt) lock(true);
      else if (warn) warn.hidden = t < warnAt;
    };
    const active = () => {
      if (locked || Date.now() - seen < gap) return;
      seen = Date.now();
      if (warn) warn.hidden = true;
      post('/auth/ping').then(r => {
        // session already gone on the server: lock now
        if (r.status === 401 || (r.redirected && r.url.includes('/auth/login'))) lock(false);
      }, () => {});  // offline: keep counting from this input
    };
    for (const t of ['keydown', 'pointerdown', 'input', 'scroll']) {
      addEventListener(t, active, {capture: true, passive: true});
    }
    d.addEventListener('visibilitychange', tick);  // phone woke up late
    setInterval(tick, 1000);
  }

  // c. focus after htmx swaps, and on a page re-rendered with errors
  const focusIn = (root, errorsOnly) => {
    const a = d.activeElement;
    if (a && a !== b && !root.contains(a) && a.matches('input,select,textarea')) return;
    let el = root.querySelector('.field-error') && root.querySelector('[aria-invalid="true"]');
    if (!el && !errorsOnly) el = root.matches('[data-autofocus]') ? root : root.querySelector('[data-autofocus]');
    if (!el) return;
    if (el.tabIndex < 0 && !el.hasAttribute('tabindex')) el.tabIndex = -1;  // e.g. a heading
    el.focus();
  };
  d.addEventListener('htmx:afterSettle', e => e.target.matches && focusIn(e.target));
  focusIn(b, true);

  // d. confirm destructive actions
  d.addEventListener('submit', e => {
    const m = e.target.dataset?.confirm;
    if (m && !confirm(m)) { e.preventDefault(); e.stopPropagation(); }
  }, true);
})();
