/* Tin Cậy client helpers. No framework, eval or inline styles (strict CSP); pages work without it.
   Why: shared commune computers (the next user must see nothing) and weak mobile networks.
   a. Quick exit (its button, or Esc 3 times quickly): leaves at once for the form's data-exit-url.
   b. Idle lock (body[data-idle-seconds] = server idle timeout): time counts from when the server surely
      saw us (page request, /auth/ping), so we lock before it does and the draft (form[data-draft-url])
      still saves. Input pings at most once a minute; #idle-warning shows near the end.
   c. After an htmx swap, focus the first invalid field or [data-autofocus], unless someone is typing.
   d. form[data-confirm] asks first; capture phase, so htmx never sees a refused submit.
   e. Narrow screens show each table row as a card: cells get data-label from their column header.
   f. The "Danh mục" menu lies open on wide screens; on a phone it closes on a tap elsewhere.
   g. main[data-sections]: each section's heading toggles it, the state kept in localStorage under the
      section's id (ids of page parts, never person data); a sticky index links the sections; a section
      holding an error or named by the address (#id) or by an in-page link (a[href="#id"]) opens.
   h. Sign-out with offline items still queued (app/offline, sealed): form[data-offline-clear] asks whether to
      drop them from this device; they are kept unless the user says so.
   i. One submission per tap: a form on its way ignores more submits until its answer (a slow double tap on
      weak data saved things twice). An htmx form stays locked until its request ends (answer, error, lost
      connection or htmx's own timeout, htmx-config in base.html), with a fallback just past that timeout; a
      plain form, whose answer replaces the page (or is a download), frees itself after 10 s. Forms get
      novalidate: the server's Vietnamese message beside the field replaces the browser's bubble (`required`
      stays for screen readers).
   j. A failed htmx request says why (#request-error, base.html): htmx swaps no 4xx/5xx answer and nothing when
      the connection drops or the 30 s timeout ends it, so the tap seemed to do nothing and a note typed on weak
      data seemed saved. The message (the error page's data-error-message, else base.html's text for the
      status) goes just above the form that sent it, takes focus unless the user is typing, and leaves when that
      form's next request succeeds (or its part of the page is swapped). The form keeps what was typed. */
(() => {
  'use strict';
  const d = document, b = d.body, csrf = b.dataset.csrf || '';  // same ES level as htmx 2
  const post = (url, body) => fetch(url, {method: 'POST', body, credentials: 'same-origin',
    headers: {'X-CSRFToken': csrf, 'HX-Request': 'false'}});

  // a. quick exit: leave first, end the session on the way out. The page is hidden and replaced in history
  //    at once; a beacon ends the session; a cookie flag ends it at the next contact if the beacon is lost.
  const qx = d.querySelector('form[data-quick-exit]');
  const quickExit = () => {
    b.hidden = true;
    const secure = location.protocol === 'https:' ? '; Secure' : '';
    d.cookie = 'tincay_qx=1; path=/; SameSite=Strict; max-age=2592000' + secure;
    try { navigator.sendBeacon(qx.action, new FormData()); } catch (_) { /* the flag still ends it */ }
    location.replace(qx.dataset.exitUrl || '/n');
  };
  qx?.addEventListener('submit', e => { e.preventDefault(); e.stopImmediatePropagation(); quickExit(); }, true);
  let esc = 0, escAt = 0;
  d.addEventListener('keydown', e => {
    if (e.key !== 'Escape' || e.repeat) return;
    esc = Date.now() - escAt < 1000 ? esc + 1 : 1;
    escAt = Date.now();
    if (esc > 2 && qx) quickExit();
  });

  // b. idle warning and lock
  const idle = +b.dataset.idleSeconds;
  if (idle > 0) {
    const warn = d.getElementById('idle-warning'),
      warnAt = (idle - Math.min(120, idle / 2)) * 1000,
      lockAt = (idle - Math.min(30, idle / 10)) * 1000,  // the draft must reach a live session
      gap = Math.min(60000, idle * 250),  // less on tiny test timeouts
      // back to this page after signing in again, where the kept draft fills the form
      leave = () => location.replace('/auth/login?expired=1&next=' + encodeURIComponent(location.pathname));
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
        // (the server still keeps a form sent just after its session ran out: save the draft anyway)
        if (r.status === 401 || (r.redirected && r.url.includes('/auth/login'))) lock(true);
      }, () => {});  // offline: keep counting from this input
    };
    for (const t of ['keydown', 'pointerdown', 'input', 'scroll']) {
      addEventListener(t, active, {capture: true, passive: true});
    }
    d.addEventListener('visibilitychange', tick);  // phone woke up late
    setInterval(tick, 1000);
  }

  // g. collapsible sections (before c: an error opens its section first)
  const store = {
    get: k => { try { return localStorage.getItem(k); } catch (_) { return null; } },
    set: (k, v) => { try { localStorage.setItem(k, v); } catch (_) { /* private mode */ } },
  };
  const chev = () => {
    const s = d.createElementNS('http://www.w3.org/2000/svg', 'svg'), u = d.createElementNS(s.namespaceURI, 'use'),
      sprite = d.querySelector('use[href*="icons"]');
    s.setAttribute('class', 'icon chev');
    s.setAttribute('aria-hidden', 'true');
    u.setAttribute('href', (sprite ? sprite.getAttribute('href').split('#')[0] : '') + '#i-chevron');
    s.append(u);
    return s;
  };
  const setOpen = (sec, open, remember) => {
    sec.classList.toggle('is-collapsed', !open);
    sec.querySelector(':scope > .sec-toggle-wrap > .sec-toggle')?.setAttribute('aria-expanded', open);
    if (remember) store.set('sec:' + sec.id, open ? '1' : '0');
  };
  const hasError = el => el.querySelector('.field-error, [aria-invalid="true"], .form-errors, .flash-error');
  const collapsible = root => [...root.querySelectorAll('section.card[id]')]
    .filter(sec => sec.closest('[data-sections]') && sec.firstElementChild?.matches('h2, h3'));
  const enhance = sec => {
    if (sec.querySelector(':scope > .sec-toggle-wrap')) return;
    const h = sec.firstElementChild, btn = d.createElement('button');
    btn.type = 'button';
    btn.className = 'sec-toggle';
    btn.append(...h.childNodes, chev());
    h.append(btn);
    h.classList.add('sec-toggle-wrap');
    btn.addEventListener('click', () => setOpen(sec, sec.classList.contains('is-collapsed'), true));
    const saved = store.get('sec:' + sec.id);
    const open = hasError(sec) || location.hash === '#' + sec.id || sec.hasAttribute('data-open')
      ? true : saved === null ? false : saved === '1';
    setOpen(sec, open, false);
  };
  const buildIndex = host => {
    const secs = collapsible(host);
    if (secs.length < 3 || host.querySelector('.section-index')) return;
    const nav = d.createElement('nav');
    nav.className = 'section-index';
    nav.setAttribute('aria-label', host.dataset.sections || 'Mục');
    for (const sec of secs) {
      const a = d.createElement('a');
      a.href = '#' + sec.id;
      a.textContent = sec.firstElementChild.textContent.trim();
      a.addEventListener('click', () => {  // by id: an htmx swap may have replaced the section
        const now = d.getElementById(sec.id);
        if (now) setOpen(now, true, true);
      });
      nav.append(a);
    }
    let top = secs[0];
    while (top.parentElement !== host) top = top.parentElement;
    host.insertBefore(nav, top);
  };
  const sectionsIn = root => collapsible(root.matches?.('section.card[id]') ? root.parentElement || root : root)
    .forEach(enhance);
  for (const host of d.querySelectorAll('[data-sections]')) { sectionsIn(host); buildIndex(host); }
  d.addEventListener('htmx:load', e => e.target.closest?.('[data-sections]') && sectionsIn(e.target));
  d.addEventListener('click', e => {  // e.g. the sign-off panel's link to the safety plan it asks to sign
    const href = e.target.closest?.('a[href^="#"]')?.getAttribute('href');
    const sec = href && href.length > 1 && d.getElementById(href.slice(1));
    if (sec && sec.classList.contains('is-collapsed')) setOpen(sec, true, true);
  });

  // c. focus after htmx swaps, and on a page re-rendered with errors: a closed section or <details> that
  //    holds the error opens first, so the user sees why saving failed
  const reveal = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (p.tagName === 'DETAILS') p.open = true;
      if (p.classList.contains('is-collapsed')) setOpen(p, true, false);
    }
  };
  const focusIn = (root, errorsOnly) => {
    const a = d.activeElement;
    if (a && a !== b && !root.contains(a) && a.matches('input,select,textarea')) return;
    let el = root.querySelector('.field-error') && root.querySelector('[aria-invalid="true"]');
    if (!el && !errorsOnly) el = root.matches('[data-autofocus]') ? root : root.querySelector('[data-autofocus]');
    if (!el) return;
    reveal(el);
    if (el.tabIndex < 0 && !el.hasAttribute('tabindex')) el.tabIndex = -1;  // e.g. a heading
    el.focus();
  };
  d.addEventListener('htmx:afterSettle', e => e.target.matches && focusIn(e.target));
  focusIn(b, true);
  // the "Tìm hồ sơ" link lands on the search box (/cases/#q): ready to type
  const target = location.hash.length > 1 && d.getElementById(location.hash.slice(1));
  if (target && target.matches('input, select, textarea')) target.focus();

  // e. table cells labelled by their column (header cells with colspan cover several columns)
  const label = root => {
    for (const t of root.querySelectorAll('table.data')) {
      const heads = [];
      for (const row of t.tHead?.rows || []) {
        let col = 0;
        for (const th of row.cells) {
          const text = th.textContent.replace(/\s+/g, ' ').trim();
          for (let i = 0; i < th.colSpan; i++, col++) {
            while (heads[col]?.rowspan > 0) { heads[col].rowspan--; col++; }
            const prev = heads[col]?.text;
            heads[col] = {text: prev && text && prev !== text ? prev + ' · ' + text : text || prev || '',
                          rowspan: th.rowSpan - 1};
          }
        }
      }
      for (const body of [...t.tBodies, t.tFoot].filter(Boolean)) {
        for (const row of body.rows) {
          let col = 0;
          for (const cell of row.cells) {
            if (!cell.hasAttribute('data-label')) cell.dataset.label = heads[col]?.text || '';
            col += cell.colSpan;
          }
        }
      }
    }
  };
  label(d);
  d.addEventListener('htmx:load', e => e.target.querySelectorAll && label(e.target));

  // f. the menu
  const menu = d.querySelector('details[data-menu]'), wide = matchMedia('(min-width: 64rem)');
  if (menu) {
    const fit = () => { menu.open = wide.matches; };
    fit();
    wide.addEventListener?.('change', fit);
    d.addEventListener('click', e => {
      if (menu.open && !wide.matches && !menu.contains(e.target)) menu.open = false;
    });
  }

  // d. confirm destructive actions
  d.addEventListener('submit', e => {
    const m = e.target.dataset?.confirm;
    if (m && !confirm(m)) { e.preventDefault(); e.stopPropagation(); }
  }, true);

  // h. sign-out: offer to drop the sealed offline queue (never created here if this device has none)
  d.addEventListener('submit', e => {
    const f = e.target, ask = f.dataset?.offlineClear;
    if (!ask || f.dataset.asked || !window.indexedDB) return;
    e.preventDefault();
    f.dataset.asked = '1';
    const go = () => f.submit(), r = indexedDB.open('tincay-offline');
    r.onupgradeneeded = () => r.transaction.abort();
    r.onerror = go;
    r.onsuccess = () => {
      const db = r.result;
      if (!db.objectStoreNames.contains('queue')) { db.close(); return go(); }
      const t = db.transaction('queue', 'readwrite'), q = t.objectStore('queue'), c = q.count();
      c.onsuccess = () => { if (c.result && confirm(ask.replace('{n}', c.result))) q.clear(); };
      t.oncomplete = t.onerror = () => { db.close(); go(); };
    };
  }, true);

  // i. one submission per tap; server messages instead of browser bubbles
  const noBubbles = root => root.querySelectorAll?.('form').forEach(f => { f.noValidate = true; });
  noBubbles(d);
  d.addEventListener('htmx:load', e => noBubbles(e.target));
  const locks = new WeakMap();  // form -> the timer that frees it if the end of its request is never seen
  const unlock = f => {
    if (!f?.dataset) return;
    clearTimeout(locks.get(f));
    locks.delete(f);
    delete f.dataset.busy;
  };
  const lockFor = (f, ms) => {
    clearTimeout(locks.get(f));
    locks.set(f, setTimeout(() => unlock(f), ms));
  };
  const formOf = e => (e.detail?.elt || e.target).closest?.('form');
  d.addEventListener('submit', e => {
    const f = e.target;
    if (e.defaultPrevented || !(f instanceof HTMLFormElement)) return;  // refused by the confirm above
    if (f.dataset.busy) { e.preventDefault(); e.stopImmediatePropagation(); return; }
    f.dataset.busy = '1';
    lockFor(f, 10000);  // a plain form: the next page replaces this one, or a download leaves it as it was
  }, true);
  // htmx sends it: locked until the request ends or, if no end is ever seen, just after htmx's own timeout
  d.addEventListener('htmx:beforeSend', e => {
    const f = formOf(e);
    if (f?.dataset.busy) lockFor(f, (+window.htmx?.config.timeout || 30000) + 2000);
  });
  // afterRequest follows every answer, error, lost connection, abort and timeout; the other two to be sure
  for (const t of ['htmx:afterRequest', 'htmx:sendError', 'htmx:timeout']) {
    d.addEventListener(t, e => unlock(formOf(e)));
  }
  addEventListener('pageshow', e => {  // back to a page kept in memory: its forms are free again
    if (e.persisted) d.querySelectorAll('form[data-busy]').forEach(unlock);
  });

  // j. failed htmx requests
  const box = d.getElementById('request-error');
  if (box) {
    const home = box.parentElement, say = box.dataset, senderOf = e => {
      const elt = e.detail.elt || e.target;
      return elt.closest?.('form') || elt;
    };
    let failed = null;  // what sent the failed request: its own success clears the message, another's does not
    const clear = () => { box.hidden = true; box.textContent = ''; home.prepend(box); failed = null; };
    const show = (e, text) => {
      const sender = failed = senderOf(e),
        at = sender.closest?.('.table-wrap, table') || sender;  // never a <div> among table rows
      unlock(sender);
      if (at !== home && home.contains(at)) at.before(box); else home.prepend(box);
      box.textContent = text;
      box.hidden = false;
      // a search typed letter by letter keeps its focus; the alert is still read out
      if (!/^(input|key|change|search)/.test(e.detail.requestConfig?.triggeringEvent?.type || '')) {
        reveal(box);
        box.focus();
      }
    };
    const lost = e => show(e, e.detail.requestConfig?.verb === 'get' ? say.offlineRead  // nothing to save
      : e.type === 'htmx:timeout' ? say.timeout : say.offline);
    d.addEventListener('htmx:sendError', lost);
    d.addEventListener('htmx:timeout', lost);
    d.addEventListener('htmx:responseError', e => {
      const xhr = e.detail.xhr, s = xhr.status;
      // text only, from an inert document (DOMParser runs no script): never the page's markup or internals
      const page = /html/.test(xhr.getResponseHeader('Content-Type') || '')
        && new DOMParser().parseFromString(xhr.responseText, 'text/html');
      const own = page && page.querySelector('[data-error-message]')?.textContent.replace(/\s+/g, ' ').trim();
      show(e, own || say['e' + s] || (s >= 500 ? say.e5xx : say.eother));
    });
    d.addEventListener('htmx:beforeSwap', e => { if (e.detail.target?.contains(box)) clear(); });  // not swapped away
    d.addEventListener('htmx:afterRequest', e => { if (e.detail.successful && senderOf(e) === failed) clear(); });
  }
})();
