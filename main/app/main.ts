// Electron main entry (bundled to dist/electron/main.cjs): starts the desktop shell with the
// runtime that composes the services. Swap the factory for main/companion.ts once it exists.
import { defaultAppPaths, startDesktopApp } from './desktopApp';
import { createPlaceholderRuntime } from './placeholderRuntime';

void startDesktopApp({ paths: defaultAppPaths(__dirname), createRuntime: createPlaceholderRuntime }).catch((err: unknown) => {
  console.error(`[companion] failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
