/* Tin Cậy offline shell worker ({{ version }}). Scope: /offline/ only.
   It keeps the shell page and its static files, nothing else: a response marked no-store (every page with
   person data) is never put in the cache, and requests other than the shell's are left to the network. */
'use strict';
const CACHE = 'tincay-shell-{{ version }}';
const FILES = {{ files | tojson }};
const SHELL = FILES[0];

const keepable = r => r && r.ok && !r.redirected && r.type === 'basic' &&
  !/no-store/i.test(r.headers.get('Cache-Control') || '');

self.addEventListener('install', e => {
  e.waitUntil(caches.open(CACHE).then(async c => {
    for (const url of FILES) {
      const r = await fetch(url, {credentials: 'same-origin', cache: 'no-cache'});
      if (keepable(r)) await c.put(url, r);
    }
  }).then(() => self.skipWaiting()));
});

self.addEventListener('activate', e => {
  e.waitUntil(caches.keys().then(names => Promise.all(
    names.filter(n => n.startsWith('tincay-shell-') && n !== CACHE).map(n => caches.delete(n))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', e => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== location.origin) return;
  const path = url.pathname;
  if (path === SHELL && req.mode === 'navigate') {
    // Online: the fresh shell (and keep it); offline or signed out: the kept one.
    e.respondWith(fetch(req).then(r => {
      if (keepable(r)) { const copy = r.clone(); caches.open(CACHE).then(c => c.put(SHELL, copy)); return r; }
      return caches.match(SHELL).then(kept => kept || r);
    }, () => caches.match(SHELL)));
  } else if (FILES.includes(path)) {
    e.respondWith(caches.match(path).then(kept => kept || fetch(req)));
  }
});
