/* Tin Cậy offline capture (templates/offline/shell.html). WebCrypto only, no library.
   What is typed is sealed for the server on save (ephemeral ECDH P-256 with the server's offline key,
   HKDF-SHA256, AES-256-GCM), signed with this device's non-extractable ECDSA key, and only the sealed item is
   kept (IndexedDB "tincay-offline"). The phone cannot open what it keeps. See app/offline/envelope.py.
   State on <body> (for tests and styles, no data): data-ready once the first look at the queue (and the send
   that follows it when online) is done; data-syncing while a send runs; data-syncs counts the sends ended. */
(() => {
  'use strict';
  const d = document, b = d.body, enc = new TextEncoder(), S = crypto.subtle;
  const $ = s => d.querySelector(s), $$ = s => [...d.querySelectorAll(s)];
  const T = (n, v) => ($(`template[data-text="${n}"]`)?.content.textContent || '').trim().replace('{n}', v);
  const b64 = buf => { let s = ''; for (const x of new Uint8Array(buf)) s += String.fromCharCode(x); return btoa(s); };
  const unb64 = s => Uint8Array.from(atob(s), c => c.charCodeAt(0));
  // The status line (role="status": screen readers read out each change). The same words again (a second
  // clearing of an empty queue) are emptied first, or nothing would change and nothing would be read out.
  const say = (name, v) => {
    const m = $('[data-message]'), text = T(name, v);
    if (m.textContent !== text) { m.textContent = text; return; }
    m.textContent = '';
    setTimeout(() => { m.textContent = text; }, 150);
  };
  const INFO = 'tincay-offline-v1';

  // --- storage: "meta" (device key, server key, offline cases) and "queue" (sealed items only) ---
  const openDb = () => new Promise((ok, no) => {
    const r = indexedDB.open('tincay-offline', 1);
    r.onupgradeneeded = () => { r.result.createObjectStore('meta'); r.result.createObjectStore('queue', {keyPath: 'id'}); };
    r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error);
  });
  const run = async (store, mode, fn) => {
    const db = await openDb();
    return new Promise((ok, no) => {
      const t = db.transaction(store, mode), req = fn(t.objectStore(store));
      t.oncomplete = () => { db.close(); ok(req.result); };
      t.onerror = t.onabort = () => { db.close(); no(t.error); };
    });
  };
  const getMeta = k => run('meta', 'readonly', s => s.get(k));
  const setMeta = (k, v) => run('meta', 'readwrite', s => s.put(v, k));
  const allItems = () => run('queue', 'readonly', s => s.getAll());
  const putItem = it => run('queue', 'readwrite', s => s.put(it));
  const dropItem = id => run('queue', 'readwrite', s => s.delete(id));
  const clearItems = () => run('queue', 'readwrite', s => s.clear());

  // --- talking to the server ---
  let csrf = '';
  const json = (url, body) => fetch(url, {method: 'POST', credentials: 'same-origin', body: JSON.stringify(body),
    headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf}});
  const signedOut = r => r.redirected || r.status === 401 || !(r.headers.get('Content-Type') || '').includes('json');

  async function refresh() {
    const dev = await getMeta('device');
    const r = await fetch(b.dataset.state + (dev ? '?device=' + dev.id : ''), {credentials: 'same-origin', cache: 'no-store'});
    if (signedOut(r)) { say('login'); return false; }
    const s = await r.json();
    csrf = s.csrf;
    if (s.revoked) { await revoked(); return false; }
    if (dev && !s.registered) await setMeta('device', null);
    if (s.server) { await setMeta('server', s.server); await setMeta('cases', s.cases || []); }
    return true;
  }

  async function register(label) {
    const pair = await S.generateKey({name: 'ECDSA', namedCurve: 'P-256'}, false, ['sign', 'verify']);
    const spki = await S.exportKey('spki', pair.publicKey);
    const r = await json(b.dataset.register, {public_key: b64(spki), label});
    const j = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(j.error || r.status);
    await setMeta('device', {id: j.device, label: j.label, key: pair.privateKey});
  }

  // --- sealing: plain text lives only in this function's arguments ---
  async function seal(kind, caseRef, fields) {
    const srv = await getMeta('server'), dev = await getMeta('device');
    const id = crypto.randomUUID(), captured = new Date().toISOString();
    const header = [INFO, id, dev.id, kind, caseRef, captured, String(srv.version)].join('|');
    const eph = await S.generateKey({name: 'ECDH', namedCurve: 'P-256'}, true, ['deriveBits']);
    const pub = await S.importKey('raw', unb64(srv.key), {name: 'ECDH', namedCurve: 'P-256'}, false, []);
    const bits = await S.deriveBits({name: 'ECDH', public: pub}, eph.privateKey, 256);
    const hk = await S.importKey('raw', bits, 'HKDF', false, ['deriveKey']);
    const salt = crypto.getRandomValues(new Uint8Array(16)), iv = crypto.getRandomValues(new Uint8Array(12));
    const key = await S.deriveKey({name: 'HKDF', hash: 'SHA-256', salt, info: enc.encode(INFO)}, hk,
      {name: 'AES-GCM', length: 256}, false, ['encrypt']);
    const ct = await S.encrypt({name: 'AES-GCM', iv, additionalData: enc.encode(header)}, key,
      enc.encode(JSON.stringify({fields})));
    const parts = [b64(await S.exportKey('raw', eph.publicKey)), b64(salt), b64(iv), b64(ct)];
    const sig = await S.sign({name: 'ECDSA', hash: 'SHA-256'}, dev.key, enc.encode([header, ...parts].join('|')));
    return {id, device: dev.id, kind, case: caseRef, captured_at: captured, key_version: srv.version,
      epk: parts[0], salt: parts[1], iv: parts[2], ct: parts[3], sig: b64(sig)};
  }

  async function save(form) {
    const kind = form.dataset.offlineForm, fields = {};
    let caseRef = '';
    for (const [k, v] of new FormData(form)) {
      if (k === '_case') caseRef = v;
      else fields[k] = k in fields ? [].concat(fields[k], v) : v;
    }
    if (kind !== 'intake' && !caseRef) return say('pick-case');
    const env = await seal(kind, caseRef, fields);
    for (const k of Object.keys(fields)) delete fields[k];
    form.reset();
    if (JSON.stringify(env).length > +b.dataset.maxBytes) return say('too-large');
    await putItem({id: env.id, kind, captured_at: env.captured_at, state: 'pending', env});
    say('saved');
    await render();
    if (navigator.onLine) sync();
  }

  // --- sending: each item once; the server answers a repeat as the first time ---
  let syncing = false;
  async function sync() {
    if (syncing) return;
    syncing = true;
    b.dataset.syncing = '1';
    let sent = 0, kept = 0;
    try {
      if (!await refresh()) return;
      for (const it of (await allItems()).filter(i => i.state === 'pending')) {
        const r = await json(b.dataset.sync, it.env);
        if (signedOut(r)) { say('login'); return; }
        const j = await r.json();
        if (r.ok) { await dropItem(it.id); sent++; if (j.status === 'rejected') kept++; continue; }
        if (j.code === 'revoked') return revoked();
        if (r.status >= 500) return;
        await putItem({...it, state: 'refused', message: j.error || T('refused')});
      }
      if (sent) say(kept ? 'kept' : 'sent', kept || sent);
    } catch (e) {
      say('offline');
    } finally {
      syncing = false;
      await render().finally(() => {
        if (!syncing) delete b.dataset.syncing;  // unless another send started meanwhile
        b.dataset.syncs = (+b.dataset.syncs || 0) + 1;
      });
    }
  }

  async function revoked() {
    say('revoked');
    const n = (await allItems()).length;
    if (n && confirm(T('confirm-clear', n))) await clearItems();
    await setMeta('device', null);
    await setMeta('server', null);
    await setMeta('cases', []);
    const reg = await navigator.serviceWorker?.getRegistration(b.dataset.sw);
    await reg?.unregister();
    for (const name of await caches.keys()) if (name.startsWith('tincay-shell-')) await caches.delete(name);
    $('[data-capture]').hidden = true;
  }

  // --- the page ---
  async function render() {
    const items = await allItems(), list = $('[data-queue-list]');
    $('[data-queue-count]').textContent = items.length ? T('count', items.length) : T('none');
    list.replaceChildren(...items.map(it => {
      const li = d.createElement('li');
      li.textContent = `${new Date(it.captured_at).toLocaleString('vi-VN')} · ${T('kind-' + it.kind)}` +
        (it.state === 'refused' ? ` · ${T('refused')}: ${it.message}` : '');
      return li;
    }));
    const dev = await getMeta('device'), srv = await getMeta('server'), cases = (await getMeta('cases')) || [];
    $('[data-register-box]').hidden = !!dev;
    $('[data-capture]').hidden = !(dev && srv);
    for (const sel of $$('[data-case-select]')) {
      const keep = sel.value;
      sel.replaceChildren(new Option(cases.length ? '' : T('no-cases'), ''),
        ...cases.map(c => new Option(`${c.code} (${c.kind})`, c.ref)));
      sel.value = keep;
    }
    $('[data-net]').textContent = T(navigator.onLine ? 'online' : 'offline');
  }

  $('[data-needs-js]').hidden = true;
  if (!window.crypto?.subtle || !window.indexedDB) { say('nocrypto'); return; }
  $('[data-offline-exit]').addEventListener('click', () => {
    fetch('/auth/quick-exit', {method: 'POST', keepalive: true, credentials: 'same-origin',
      headers: {'X-CSRFToken': csrf}}).catch(() => {});
    location.replace(b.dataset.neutral);
  });
  $('[data-register-form]').addEventListener('submit', async e => {
    e.preventDefault();
    try { await refresh(); await register(new FormData(e.target).get('label')); await refresh(); await render(); }
    catch (err) { $('[data-message]').textContent = err.message; }
  });
  for (const f of $$('[data-offline-form]')) {
    f.addEventListener('submit', e => { e.preventDefault(); save(f).catch(err => { $('[data-message]').textContent = err.message; }); });
  }
  $('[data-sync-now]').addEventListener('click', sync);
  // Clearing always says what it did: how many items went, that nothing was waiting, or that nothing went.
  $('[data-clear-queue]').addEventListener('click', async () => {
    const n = (await allItems()).length;
    if (!n) return say('clear-none');
    if (!confirm(T('confirm-clear', n))) return say('clear-kept', n);
    await clearItems();
    await render();
    say('cleared', n);
  });
  addEventListener('online', () => { render(); sync(); });
  addEventListener('offline', render);
  setInterval(() => navigator.onLine && sync(), 60000);
  if ('serviceWorker' in navigator) navigator.serviceWorker.register(b.dataset.sw, {scope: b.dataset.sw.replace(/sw\.js$/, '')}).catch(() => {});
  render().then(() => navigator.onLine && sync()).finally(() => { b.dataset.ready = '1'; });
})();
