// Test-only `window.companion` for the e2e runs in plain Chromium: invoke goes over HTTP POST and
// events arrive over a WebSocket, both to the bridge server in the test process, which serves the
// real createCompanionApi handlers. Same shape as preload/index.ts (CompanionBridge).
(() => {
  const listeners = new Set();
  const base = new URL('./__bridge/', document.baseURI);
  const wsUrl = new URL('events', base);
  wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  let socket;
  const connect = () => {
    socket = new WebSocket(wsUrl);
    socket.onmessage = (m) => {
      const event = JSON.parse(m.data);
      for (const l of listeners) l(event);
    };
    socket.onclose = () => setTimeout(connect, 200);
  };
  connect();
  window.companion = Object.freeze({
    platform: 'linux',
    async invoke(channel, ...args) {
      try {
        const res = await fetch(new URL('invoke', base), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ channel, req: args[0] }),
        });
        return await res.json();
      } catch {
        return { ok: false, error: { code: 'internal', message: `The companion did not answer on ${channel}` } };
      }
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
})();
