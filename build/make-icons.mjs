#!/usr/bin/env node
// Renders every app and tray icon from SVG sources with headless Chromium (no ImageMagick here):
// build/icon.svg -> build/icons/NxN.png, and the tray states -> build/tray/*.png (+@2x, +Template).
// Usage: npx node build/make-icons.mjs   (Chromium as the tests find it: CHROMIUM_PATH, PATH, @sparticuz/chromium)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { findChromium } from '../scripts/chromium.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const APP_SIZES = [16, 32, 48, 64, 128, 256, 512, 1024];

// Tray glyphs on a 16-unit grid: a shield, plus a state mark. Colour variants for Windows/Linux;
// black-on-transparent "Template" variants for the macOS menu bar (the system tints them).
const SHIELD = 'M8 1 L14 3.2 V7.6 C14 11 11.5 13.6 8 15 C4.5 13.6 2 11 2 7.6 V3.2 Z';
const STATES = {
  running: { color: '#3fb950', mark: '<circle cx="8" cy="7.5" r="2.2" fill="#fff"/>' },
  'upstream-down': { color: '#d29922', mark: '<path d="M5.5 5 L10.5 10 M10.5 5 L5.5 10" stroke="#fff" stroke-width="1.8" stroke-linecap="round"/>' },
  paused: { color: '#8b949e', mark: '<path d="M6.3 4.8 V10.2 M9.7 4.8 V10.2" stroke="#fff" stroke-width="1.8" stroke-linecap="round"/>' },
  error: { color: '#f85149', mark: '<path d="M8 4.2 V8.4" stroke="#fff" stroke-width="1.9" stroke-linecap="round"/><circle cx="8" cy="10.9" r="1.1" fill="#fff"/>' },
};

function traySvg(state, template) {
  const { color, mark } = STATES[state];
  if (!template) {
    return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="${SHIELD}" fill="${color}"/>${mark}</svg>`;
  }
  // Template: the shield is solid black and the mark is cut out of it (a mask), so the state stays
  // readable after macOS recolours everything to one colour.
  const cut = mark.replaceAll('#fff', '#000');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><defs><mask id="m"><rect width="16" height="16" fill="#fff"/>${cut}</mask></defs><path d="${SHIELD}" fill="#000" mask="url(#m)"/></svg>`;
}

async function main() {
  const found = findChromium();
  if (found.path === null) throw new Error(`no Chromium: ${found.why}`);
  const browser = await chromium.launch({ executablePath: found.path, env: { ...process.env, ...found.env }, args: ['--no-sandbox'] });
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  const render = async (svg, size, out) => {
    await page.setViewportSize({ width: size, height: size });
    const sized = svg.replace('<svg ', `<svg width="${size}" height="${size}" `).replace(/ width="1024" height="1024"/, '');
    await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`);
    const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, png);
    console.log(`wrote ${path.relative(path.dirname(here), out)}`);
  };

  const appSvg = readFileSync(path.join(here, 'icon.svg'), 'utf8');
  for (const size of APP_SIZES) await render(appSvg, size, path.join(here, 'icons', `${size}x${size}.png`));

  for (const state of Object.keys(STATES)) {
    for (const template of [false, true]) {
      const svg = traySvg(state, template);
      const base = `tray-${state}${template ? 'Template' : ''}`;
      await render(svg, 16, path.join(here, 'tray', `${base}.png`));
      await render(svg, 32, path.join(here, 'tray', `${base}@2x.png`));
    }
  }
  await browser.close();
}

main().catch((err) => {
  console.error(`make-icons failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
