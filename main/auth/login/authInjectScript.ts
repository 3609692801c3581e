// /auth_inject.js, added to ComfyUI's own page by the proxy: when the proxy answers one of the page's
// same-origin fetch/XHR calls with its 401 (the login session ended), send the user to the login page
// and back afterwards, saying why (revoked, expired) when the 401 said so. It never sees or stores a key; the
// session cookie does the authenticating. The queue note (queueNoteScript.ts) rides along.
import { QUEUE_NOTE_JS } from './queueNoteScript';

/** On the proxy's 401 to a login session whose key was revoked (or rotated) or expired: which, for the login page's hint. */
export const LOGOUT_REASON_HEADER = 'x-companion-logout-reason';

/** The tag the proxy injects right after <head> of the upstream's `/` and `/index.html`. */
export const AUTH_INJECT_TAG = '<script src="/auth_inject.js" defer></script>';

const SESSION_END_JS = `// ComfyUI Auth Companion: back to the login page when the login session ends.
(function () {
  'use strict';
  if (window.__comfyAuthCompanion) return;
  window.__comfyAuthCompanion = true;
  var REALM = 'ComfyUI Auth Companion';
  var leaving = false;

  // Only the proxy's own 401s count: same origin, JSON, and its WWW-Authenticate realm. A 401 from
  // another service the page talks to (e.g. Comfy's cloud API) must not log the user out.
  function isSessionEnd(status, url, wwwAuthenticate, contentType) {
    if (status !== 401) return false;
    try {
      if (new URL(url || location.href, location.href).origin !== location.origin) return false;
    } catch (e) {
      return false;
    }
    return String(wwwAuthenticate || '').indexOf(REALM) !== -1 && String(contentType || '').indexOf('application/json') !== -1;
  }

  // The login page says why ("…the key you used was revoked or replaced", "…has expired") when the 401 said so.
  function toLogin(reason) {
    if (leaving || Date.now() - unloadingSince < 10000) return;
    leaving = true;
    var next = location.pathname + location.search + location.hash;
    var why = reason === 'revoked' || reason === 'expired' ? '&reason=' + reason : '';
    location.assign('/auth_login.html?next=' + encodeURIComponent(next) + why);
  }

  // While the page is being left (the user navigates, e.g. to the logout page), a 401 to one of its last
  // calls must not send it to the login page instead: the logout ends the session before this page is gone.
  // A window, not a flag: the page may stay (its own beforeunload prompt answered "stay").
  var unloadingSince = 0;
  window.addEventListener('beforeunload', function () { unloadingSince = Date.now(); });

  var nativeFetch = window.fetch;
  if (typeof nativeFetch === 'function') {
    window.fetch = function () {
      return nativeFetch.apply(window, arguments).then(function (res) {
        if (isSessionEnd(res.status, res.url, res.headers.get('www-authenticate'), res.headers.get('content-type'))) toLogin(res.headers.get('${LOGOUT_REASON_HEADER}'));
        return res;
      });
    };
  }

  var send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function () {
    this.addEventListener('load', function () {
      if (isSessionEnd(this.status, this.responseURL, this.getResponseHeader('www-authenticate'), this.getResponseHeader('content-type'))) toLogin(this.getResponseHeader('${LOGOUT_REASON_HEADER}'));
    });
    return send.apply(this, arguments);
  };
})();
`;

export const AUTH_INJECT_JS = SESSION_END_JS + QUEUE_NOTE_JS;
