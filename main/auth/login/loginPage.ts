// The login page's HTML, rendered on the server so it works without JavaScript: the form posts to
// /auth/login, and the page shows the error or hint it was sent back with. No inline script or style
// (the page's CSP forbids them); its CSS and script are /auth_login.css and /auth_login.js.

export interface LoginPageView {
  /** Already made safe with safeNextPath. */
  next: string;
  error: string | null;
  hint: string | null;
  /** Headless: no Companion app here; people get keys from whoever runs the box. */
  headless?: boolean;
}

export const KEY_HELP = {
  app: "Access keys start with <code>comfy_</code>. Create one in the Companion app's Keys view.",
  headless: 'Access keys start with <code>comfy_</code>. Ask whoever runs this ComfyUI for one.',
} as const;

/** default-src 'none' plus exactly what the page needs; connect-src lets its script POST the login. */
export const LOGIN_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderLoginPage(view: LoginPageView): string {
  const error = view.error ? escapeHtml(view.error) : '';
  const hint = view.hint ? escapeHtml(view.hint) : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Log in · ComfyUI</title>
<link rel="stylesheet" href="/auth_login.css">
<script src="/auth_login.js" defer></script>
</head>
<body>
<main class="card" aria-labelledby="title">
  <div class="brand" aria-hidden="true"><span class="brand-mark"></span>ComfyUI Auth Companion</div>
  <h1 id="title">Log in to ComfyUI</h1>
  <p class="lead">This ComfyUI is protected. Enter an access key to continue.</p>
  <p id="login-hint" class="notice" role="status"${hint ? '' : ' hidden'}>${hint}</p>
  <form id="login-form" method="post" action="/auth/login" novalidate>
    <input type="hidden" name="next" value="${escapeHtml(view.next)}">
    <label for="api_key">Access key</label>
    <div class="field">
      <input id="api_key" name="api_key" type="password" autocomplete="current-password" spellcheck="false"
        autocapitalize="off" autocorrect="off" required aria-describedby="key-help login-error"${error ? ' aria-invalid="true" autofocus' : ' autofocus'}>
      <button type="button" id="toggle-key" class="toggle" aria-controls="api_key" aria-pressed="false" hidden>Show</button>
    </div>
    <p id="key-help" class="help">${view.headless ? KEY_HELP.headless : KEY_HELP.app}</p>
    <p id="login-error" class="error" role="alert"${error ? '' : ' hidden'}>${error}</p>
    <label class="check"><input type="checkbox" id="remember" name="remember" value="true"> Remember me for 30 days</label>
    <button type="submit" id="submit" class="primary">Log in</button>
  </form>
  <p class="foot">Your key is checked by the proxy and never stored in this browser; a login cookie is kept instead.</p>
</main>
</body>
</html>
`;
}
