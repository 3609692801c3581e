// Shared driver for the window's Chromium e2e files: starts the real services (companionStack), opens the
// BUILT renderer in Chromium (test/helpers/chromium.ts), navigates by the nav's titles, switches the theme through the
// real settings, and writes each screenshot in light and dark to test-results/screenshots/.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM as FOUND_CHROMIUM, launchChromium } from '../../helpers/chromium';
import { RENDERER_DIR } from './bridgeServer';
import { startCompanionStack, type CompanionStack } from './companionStack';

export const CHROMIUM = FOUND_CHROMIUM.path;
export const SHOTS = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));
/** Always true: a missing browser or renderer build fails openWindowPage() loudly instead of skipping. */
export const canRunWindowTests = true;

export const VIEW_TITLES = {
  home: 'Home',
  connection: 'ComfyUI connection',
  keys: 'Access keys',
  cloud: 'Comfy Cloud',
  monitor: 'Monitor',
  settings: 'Settings',
} as const;
export type View = keyof typeof VIEW_TITLES;

export interface WindowPage {
  stack: CompanionStack;
  page: Page;
  pageErrors: string[];
  show(view: View): Promise<void>;
  setTheme(theme: 'light' | 'dark'): Promise<void>;
  /** Screenshots the page as it is in light, then dark (no navigation: open dialogs and menus stay). */
  shoot(name: string, ready?: () => Promise<void>): Promise<void>;
  proxyFetch(path: string, secret: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function openWindowPage(): Promise<WindowPage> {
  mkdirSync(SHOTS, { recursive: true });
  const stack = await startCompanionStack();
  let browser: Browser | null = null;
  try {
    if (!existsSync(`${RENDERER_DIR}index.html`)) throw new Error(`${RENDERER_DIR}index.html is missing: run "npm run build:renderer" first`);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1180, height: 820 }, deviceScaleFactor: 1 });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.bridge.url });
    const page = await context.newPage();
    // A step that cannot happen fails with its own locator in the message, well inside the test timeout.
    page.setDefaultTimeout(8000);
    const pageErrors: string[] = [];
    await page.addInitScript(() => {
      const w = window as unknown as { __csp: string[] };
      w.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
    await page.goto(`${stack.bridge.url}index.html`);
    await page.locator('.nav').waitFor();

    const setTheme = async (theme: 'light' | 'dark') => {
      stack.settings.update({ theme });
      await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
    };
    const b = browser;
    return {
      stack,
      page,
      pageErrors,
      async show(view) {
        await page.locator('.nav-item', { hasText: VIEW_TITLES[view] }).click();
        await page.locator('.view-header h1', { hasText: VIEW_TITLES[view] }).waitFor();
      },
      setTheme,
      async shoot(name, ready) {
        for (const theme of ['light', 'dark'] as const) {
          await setTheme(theme);
          await ready?.();
          // Let charts that redraw on a theme change settle onto the new colours.
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          await page.screenshot({ path: `${SHOTS}${name}-${theme}.png` });
        }
        await setTheme('light');
      },
      proxyFetch(path, secret, init = {}) {
        return fetch(`${stack.proxyUrl()}${path}`, { ...init, headers: { authorization: `Bearer ${secret}`, ...(init.headers as Record<string, string>) } });
      },
      async close() {
        await b.close();
        await stack.close();
      },
    };
  } catch (err) {
    await browser?.close();
    await stack.close();
    throw err;
  }
}

/**
 * Opens one window page for the calling describe block (after `setup`, e.g. a cloud login, has run on it) and
 * closes it after the block; returns how the tests reach it.
 */
export function useWindowPage(setup?: (w: WindowPage) => Promise<void>): () => WindowPage {
  let opened: WindowPage | undefined;
  beforeAll(async () => {
    opened = await openWindowPage();
    await setup?.(opened);
  }, 60_000);
  afterAll(async () => {
    await opened?.close();
  });
  return () => {
    if (!opened) throw new Error('the window page is not open (its beforeAll failed)');
    return opened;
  };
}
