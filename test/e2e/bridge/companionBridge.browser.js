// Test-only `window.companion` for the e2e runs in plain Chromium: invoke goes over HTTP POST and
// events arrive over a WebSocket, both to the bridge server in the test process, which serves the
// real createCompanionApi handlers. Same shape as preload/index.ts (CompanionBridge).
(() => {
  const listeners = new Set();
  const base = new URL('./__bridge/', document.baseURI);
  const wsUrl = new URL('events', base);
  wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  let socket;
  // Electron's preload listens before the page runs, so no event is missed; here the socket must be open
  // first. Calls wait for it, so nothing the page reads can be changed by an event it never gets.
  let markOpen;
  const opened = new Promise((resolve) => (markOpen = resolve));
  const connect = () => {
    socket = new WebSocket(wsUrl);
    socket.onopen = () => markOpen();
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
      await Promise.race([opened, new Promise((resolve) => setTimeout(resolve, 5000))]);
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
