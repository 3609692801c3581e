export type ChromiumLocation = { path: string; source: string; env: Record<string, string> } | { path: null; why: string };
/** CHROMIUM_PATH, else the system's Chromium, else the one inside @sparticuz/chromium (unpacked once). */
export function findChromium(env?: NodeJS.ProcessEnv): ChromiumLocation;
