// Navigation, new windows, external links, <webview> and permissions, and the app:// file server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { App, Session, WebContents } from 'electron';
import * as electron from '../mocks/electron';
import { hardenSession, hardenWebContents, installSecurity, isAllowedExternalUrl, EXTERNAL_ALLOW_LIST } from '../../main/app/security';
import { CONTENT_SECURITY_POLICY, createAppProtocolHandler, resolveAppPath } from '../../main/app/appProtocol';

beforeEach(() => electron.resetElectronMock());

function hardened(extra: readonly string[] = []) {
  const contents = new electron.FakeWebContents();
  contents.session = new electron.FakeSession();
  const openExternal = vi.fn(async (_url: string) => undefined);
  const blocked: string[] = [];
  hardenWebContents(contents as unknown as WebContents, { openExternal, extraExternal: () => extra, onBlocked: (what, url) => blocked.push(`${what} ${url}`) });
  return { contents, openExternal, blocked };
}

describe('navigation and new windows', () => {
  it('denies navigation to a foreign URL and opens nothing', () => {
    const { contents, openExternal, blocked } = hardened();
    expect(contents.tryNavigate('will-navigate', 'https://evil.example/phish?api_key=comfy_x')).toBe(true);
    expect(openExternal).not.toHaveBeenCalled();
    expect(blocked).toEqual(['navigation https://evil.example/phish']);
  });

  it('allows navigation inside the app origin', () => {
    const { contents } = hardened();
    expect(contents.tryNavigate('will-navigate', 'app://companion/index.html#/keys')).toBe(false);
    expect(contents.tryNavigate('will-frame-navigate', 'app://companion/other.html')).toBe(false);
  });

  it('denies redirects and frame navigations away from the app, including file:// and look-alike hosts', () => {
    const { contents } = hardened();
    for (const url of ['file:///etc/passwd', 'app://companion.evil/', 'app://evil/index.html', 'http://127.0.0.1:8189/', 'javascript:alert(1)']) {
      expect(contents.tryNavigate('will-redirect', url), url).toBe(true);
      expect(contents.tryNavigate('will-frame-navigate', url), url).toBe(true);
    }
  });

  it('a window.open to an allow-listed page goes to the system browser; the window is denied', () => {
    const { contents, openExternal } = hardened();
    expect(contents.tryOpenWindow('https://platform.comfy.org/login')).toBe('deny');
    expect(openExternal).toHaveBeenCalledWith('https://platform.comfy.org/login');
  });

  it('a window.open to anything else is denied and not opened', () => {
    const { contents, openExternal } = hardened();
    for (const url of ['https://platform.comfy.org/login/../admin', 'https://platform.comfy.org.evil.example/login', 'http://platform.comfy.org/login', 'https://user:pw@platform.comfy.org/login', 'file:///tmp/x.html', 'https://example.com/']) {
      expect(contents.tryOpenWindow(url), url).toBe('deny');
    }
    expect(openExternal).not.toHaveBeenCalled();
  });

  it('a plain link to an allow-listed page opens externally instead of navigating', () => {
    const { contents, openExternal } = hardened();
    expect(contents.tryNavigate('will-navigate', 'https://docs.comfy.org/development/comfyui-server/api-key-integration')).toBe(true);
    expect(openExternal).toHaveBeenCalledWith('https://docs.comfy.org/development/comfyui-server/api-key-integration');
  });

  it('the proxy URL is allowed externally only when the policy adds it', () => {
    expect(isAllowedExternalUrl('http://127.0.0.1:8189/', EXTERNAL_ALLOW_LIST)).toBe(false);
    const { contents, openExternal } = hardened(['http://127.0.0.1:8189/']);
    expect(contents.tryOpenWindow('http://127.0.0.1:8189/')).toBe('deny');
    expect(openExternal).toHaveBeenCalledWith('http://127.0.0.1:8189/');
  });

  it('refuses to attach a <webview>', () => {
    const { contents } = hardened();
    const ev = new electron.FakeEvent();
    contents.emit('will-attach-webview', ev, {}, {});
    expect(ev.defaultPrevented).toBe(true);
  });

  it('hardens every web contents the app creates', () => {
    installSecurity(electron.app as unknown as App, { openExternal: async () => undefined });
    const window = new electron.BrowserWindow({});
    expect(window.webContents.setWindowOpenHandler).toHaveBeenCalledOnce();
    expect(window.webContents.tryNavigate('will-navigate', 'https://evil.example/')).toBe(true);
  });
});

describe('permissions', () => {
  it('denies every permission request by default, including from the app', async () => {
    const session = new electron.FakeSession();
    hardenSession(session as unknown as Session);
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'hid', 'fullscreen']) {
      expect(await session.requestPermission(permission, 'app://companion/index.html'), permission).toBe(false);
      expect(session.checkPermission(permission, 'app://companion'), permission).toBe(false);
    }
  });

  it('lets only the app origin write to the clipboard', async () => {
    const session = new electron.FakeSession();
    hardenSession(session as unknown as Session);
    expect(await session.requestPermission('clipboard-sanitized-write', 'app://companion/index.html')).toBe(true);
    expect(await session.requestPermission('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(session.checkPermission('clipboard-sanitized-write', 'https://evil.example')).toBe(false);
  });
});

describe('app:// protocol', () => {
  let root: string;
  let outside: string;

  beforeAll(() => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'app-protocol-'));
    root = path.join(base, 'renderer');
    fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Companion</title>');
    fs.writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    outside = path.join(base, 'secret.txt');
    fs.writeFileSync(outside, 'TOP SECRET');
    fs.symlinkSync(outside, path.join(root, 'assets', 'link.txt'));
  });
  afterAll(() => fs.rmSync(path.dirname(root), { recursive: true, force: true }));

  const get = (url: string, method = 'GET') => createAppProtocolHandler(root)(new Request(url, { method }));

  it('serves the app shell with the strict CSP as a header', async () => {
    const res = await get('app://companion/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
    expect(await res.text()).toContain('<title>Companion</title>');
  });

  it('serves assets with their type and client-side routes with the shell', async () => {
    const js = await get('app://companion/assets/app.js');
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(await js.text()).toBe('console.log(1)');
    expect(await (await get('app://companion/keys')).text()).toContain('<title>Companion</title>');
    expect((await get('app://companion/assets/missing.js')).status).toBe(404);
  });

  it('refuses every path traversal form', async () => {
    for (const url of [
      'app://companion/%2e%2e/secret.txt',
      'app://companion/..%2fsecret.txt',
      'app://companion/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      'app://companion/..%5csecret.txt',
      'app://companion/%2fetc%2fpasswd',
      'app://companion/C:%5cWindows%5cwin.ini',
      'app://companion/index.html%00.png',
      'app://companion/%E0%A4%A',
    ]) {
      const res = await get(url);
      expect([403, 404], url).toContain(res.status);
      expect(await res.text(), url).not.toContain('TOP SECRET');
    }
    // The URL parser already folds %2e%2e into the root; whatever is left must stay inside it.
    const resolved = resolveAppPath(root, 'app://companion/%2e%2e/secret.txt');
    expect(resolved === null || resolved.startsWith(root + path.sep)).toBe(true);
    expect(resolveAppPath(root, 'app://companion/..%2fsecret.txt')).toBeNull();
  });

  it('refuses a symlink that leads outside the renderer folder', async () => {
    const res = await get('app://companion/assets/link.txt');
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('TOP SECRET');
  });

  it('refuses other hosts, schemes and methods', async () => {
    expect((await get('app://evil/index.html')).status).toBe(403);
    expect((await get('app://companion/index.html', 'POST')).status).toBe(405);
    expect(resolveAppPath(root, 'file:///etc/passwd')).toBeNull();
  });
});
