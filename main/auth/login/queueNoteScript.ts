// Part of /auth_inject.js: a small note on ComfyUI's page saying how busy the shared GPU is. A key's `status`
// messages count its own jobs (proxy/ws/keyStatus.ts), so its queue badge shows 0 while others' jobs run;
// ComfyUI's frontends ignore the extra `others_remaining` / `others_ahead` fields, so this script reads them
// from the page's own /ws messages (it listens, it never changes or sends one) and shows a line while others'
// work keeps the key waiting. Admin's messages have no such fields: nothing is shown to admin.
export const QUEUE_NOTE_JS = `// ComfyUI Auth Companion: how busy the shared GPU is.
(function () {
  'use strict';
  var Native = window.WebSocket;
  if (typeof Native !== 'function' || window.__comfyAuthCompanionQueueNote) return;
  window.__comfyAuthCompanionQueueNote = true;
  var note = null;

  function plural(n, one, many) { return n === 1 ? one : many.replace('{n}', String(n)); }

  function sentence(info) {
    var own = info.queue_remaining, others = info.others_remaining, ahead = info.others_ahead;
    if (typeof others !== 'number' || typeof ahead !== 'number') return '';
    if (own > 0 && ahead > 0) return plural(ahead, 'Your job is waiting: 1 job of others runs before it.', 'Your job is waiting: {n} jobs of others run before it.');
    if (own === 0 && others > 0) return plural(others, 'The GPU is busy with 1 job of others; yours would wait for it.', 'The GPU is busy with {n} jobs of others; yours would wait for them.');
    return '';
  }

  function show(text) {
    if (!note) {
      if (!text || !document.body) return;
      note = document.createElement('div');
      note.id = 'comfy-companion-queue-note';
      note.setAttribute('role', 'status');
      note.setAttribute('aria-live', 'polite');
      var dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
      note.style.cssText = 'position:fixed;left:0;right:0;bottom:14px;margin:0 auto;width:max-content;z-index:2147483000;' +
        'max-width:min(90vw,560px);padding:6px 14px;border-radius:14px;font:13px/1.4 system-ui,sans-serif;' +
        'pointer-events:none;box-shadow:0 1px 4px rgba(0,0,0,.3);' +
        (dark ? 'background:rgba(32,32,36,.92);color:#eee;border:1px solid #555;' : 'background:rgba(255,255,255,.95);color:#222;border:1px solid #bbb;');
      document.body.appendChild(note);
    }
    note.textContent = text;
    note.hidden = !text;
  }

  function watch(ws, url) {
    try {
      var u = new URL(url, location.href);
      if (u.host !== location.host || !/\\/ws$/.test(u.pathname)) return;
    } catch (e) {
      return;
    }
    ws.addEventListener('message', function (event) {
      if (typeof event.data !== 'string' || event.data.indexOf('"others_remaining"') === -1) return;
      var msg;
      try { msg = JSON.parse(event.data); } catch (e) { return; }
      var info = msg && msg.type === 'status' && msg.data && msg.data.status && msg.data.status.exec_info;
      if (info) show(sentence(info));
    });
  }

  // The page's sockets are made with \`new WebSocket(url)\`; the same object is returned, only watched.
  function Watched(url, protocols) {
    var ws = arguments.length > 1 ? new Native(url, protocols) : new Native(url);
    watch(ws, String(url));
    return ws;
  }
  Watched.prototype = Native.prototype;
  ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'].forEach(function (k) { Watched[k] = Native[k]; });
  window.WebSocket = Watched;
})();
`;
