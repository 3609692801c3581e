// The login page's stylesheet and script, served as separate files so the page's CSP can forbid inline code.

export const LOGIN_PAGE_CSS = `/* ComfyUI Auth Companion login page: light and dark, no external resources. */
:root {
  color-scheme: light dark;
  --bg: #f3f4f6; --card: #ffffff; --text: #1f2328; --muted: #57606a; --border: #d0d7de;
  --accent: #2f6fdb; --accent-text: #ffffff; --accent-hover: #2459b3; --focus: #2f6fdb;
  --error-bg: #fff1f0; --error-border: #e5534b; --error-text: #a0111f;
  --notice-bg: #eef4ff; --notice-border: #8fb3f0; --notice-text: #1b3f80;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #131417; --card: #1e2025; --text: #e6e7ea; --muted: #a0a6b0; --border: #3a3f47;
    --accent: #2f6fdb; --accent-text: #ffffff; --accent-hover: #3a78e0; --focus: #8fb3f5;
    --error-bg: #3a1d1f; --error-border: #e5534b; --error-text: #ffb4ae;
    --notice-bg: #1b2a44; --notice-border: #3d5f99; --notice-text: #c9dbff;
  }
}
* { box-sizing: border-box; }
html, body { margin: 0; min-height: 100%; }
body {
  background: var(--bg); color: var(--text);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, Cantarell, sans-serif;
  display: flex; align-items: center; justify-content: center; min-height: 100vh; padding: 1.5rem;
}
.card {
  width: 100%; max-width: 24rem; background: var(--card); border: 1px solid var(--border);
  border-radius: 12px; padding: 2rem 1.75rem 1.5rem; box-shadow: 0 8px 30px rgba(0, 0, 0, 0.08);
}
.brand { display: flex; align-items: center; gap: 0.5rem; color: var(--muted); font-size: 0.8rem; letter-spacing: 0.02em; }
.brand-mark { width: 0.9rem; height: 0.9rem; border-radius: 4px; background: var(--accent); display: inline-block; }
h1 { font-size: 1.35rem; margin: 0.75rem 0 0.25rem; }
.lead { margin: 0 0 1.25rem; color: var(--muted); }
label { display: block; font-weight: 600; margin-bottom: 0.35rem; }
.field { display: flex; gap: 0.5rem; }
input[type="password"], input[type="text"] {
  flex: 1; min-width: 0; font: inherit; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  padding: 0.6rem 0.7rem; color: var(--text); background: var(--bg);
  border: 1px solid var(--border); border-radius: 8px;
}
input[aria-invalid="true"] { border-color: var(--error-border); }
input:focus-visible, button:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.help { margin: 0.4rem 0 0; font-size: 0.85rem; color: var(--muted); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
.check { display: flex; align-items: center; gap: 0.5rem; font-weight: 400; margin: 1rem 0 1.25rem; cursor: pointer; }
.check input { width: 1.05rem; height: 1.05rem; margin: 0; accent-color: var(--accent); }
button { font: inherit; cursor: pointer; border-radius: 8px; }
.toggle { padding: 0 0.8rem; background: transparent; color: var(--text); border: 1px solid var(--border); }
.toggle:hover { background: var(--bg); }
.primary {
  width: 100%; padding: 0.65rem 1rem; font-weight: 600; border: 0;
  background: var(--accent); color: var(--accent-text);
}
.primary:hover { background: var(--accent-hover); }
.primary:disabled { opacity: 0.65; cursor: progress; }
.error, .notice { margin: 0.75rem 0 0; padding: 0.6rem 0.75rem; border-radius: 8px; border: 1px solid; font-size: 0.9rem; }
.error { background: var(--error-bg); border-color: var(--error-border); color: var(--error-text); }
.notice { margin: 0 0 1rem; background: var(--notice-bg); border-color: var(--notice-border); color: var(--notice-text); }
[hidden] { display: none !important; }
.foot { margin: 1.25rem 0 0; font-size: 0.8rem; color: var(--muted); }
@media (prefers-reduced-motion: no-preference) { .primary { transition: background 0.15s; } }
`;

/** Progressive enhancement: log in with fetch and show errors inline; the form works without it. */
export const LOGIN_PAGE_JS = `// ComfyUI Auth Companion login page script (served as /auth_login.js).
(function () {
  'use strict';
  var form = document.getElementById('login-form');
  var input = document.getElementById('api_key');
  var remember = document.getElementById('remember');
  var errorBox = document.getElementById('login-error');
  var hintBox = document.getElementById('login-hint');
  var submit = document.getElementById('submit');
  var toggle = document.getElementById('toggle-key');
  if (!form || !input || !errorBox || !submit) return;
  var NETWORK = 'Could not reach the proxy. Check that ComfyUI Auth Companion is running, then try again.';
  var timer = null;

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
    input.setAttribute('aria-invalid', text ? 'true' : 'false');
  }
  function idle() {
    if (timer) { clearInterval(timer); timer = null; }
    submit.disabled = false;
    submit.textContent = 'Log in';
    form.removeAttribute('aria-busy');
  }
  function countdown(seconds, template) {
    var left = seconds;
    submit.disabled = true;
    function tick() {
      if (left <= 0) { idle(); showError(''); input.focus(); return; }
      submit.textContent = 'Try again in ' + left + ' s';
      showError(template.replace(/\\d+ s/, left + ' s'));
      left -= 1;
    }
    tick();
    timer = setInterval(tick, 1000);
  }

  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener('click', function () {
      var show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      toggle.textContent = show ? 'Hide' : 'Show';
      toggle.setAttribute('aria-pressed', show ? 'true' : 'false');
      input.focus();
    });
  }
  input.addEventListener('input', function () { if (!timer) showError(''); });

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (timer) return;
    var key = input.value.trim();
    if (!key) { showError('Enter your access key.'); input.focus(); return; }
    var nextField = form.elements.namedItem('next');
    submit.disabled = true;
    submit.textContent = 'Logging in\\u2026';
    form.setAttribute('aria-busy', 'true');
    if (hintBox) hintBox.hidden = true;
    fetch('/auth/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ api_key: key, remember: !!(remember && remember.checked), next: nextField ? nextField.value : '/' })
    }).then(function (res) {
      return res.json().then(function (body) { return { res: res, body: body }; }, function () { return { res: res, body: null }; });
    }).then(function (r) {
      if (r.res.ok && r.body && r.body.ok === true) {
        input.value = '';
        location.replace(r.body.next);
        return;
      }
      var err = r.body && r.body.error;
      var message = (err && err.message) || ('Login failed (HTTP ' + r.res.status + ').');
      if (r.res.status === 429) {
        var wait = Number((err && err.retry_after) || r.res.headers.get('retry-after') || 60);
        countdown(Math.max(1, Math.ceil(wait)), message);
        return;
      }
      idle();
      showError(message);
      input.focus();
      input.select();
    }, function () {
      idle();
      showError(NETWORK);
    });
  });
})();
`;
