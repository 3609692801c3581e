// The one place the browser tests start Chromium: the executable from scripts/chromium.mjs
// (CHROMIUM_PATH, the system's, or the one shipped in the @sparticuz/chromium npm package) with the
// flags every test uses. No Chromium is a loud failure, never a silent skip.
import { chromium, type Browser } from 'playwright-core';
import { findChromium } from '../../scripts/chromium.mjs';

export const CHROMIUM = findChromium();

export async function launchChromium(): Promise<Browser> {
  if (CHROMIUM.path === null) {
    throw new Error(`No Chromium for the browser tests: ${CHROMIUM.why}. Install Debian's "chromium", set CHROMIUM_PATH, or run "npm ci" (it installs @sparticuz/chromium).`);
  }
  return chromium.launch({
    executablePath: CHROMIUM.path,
    // A C locale (LANG=C.UTF-8, common on servers and CI) makes the npm-shipped build report
    // navigator.language "en-US@posix", which Intl rejects: give the browser a real one.
    env: { ...process.env, LANG: 'en_US.UTF-8', LC_ALL: '', ...CHROMIUM.env } as Record<string, string>,
    args: ['--headless', '--lang=en-US', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
