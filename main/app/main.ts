// Electron main entry (bundled to dist/electron/main.cjs): starts the desktop shell with the
// runtime that composes the services (main/compose/companion.ts).
import { createCompanionRuntime } from '../compose/companion';
import { defaultAppPaths, startDesktopApp } from './desktopApp';

void startDesktopApp({ paths: defaultAppPaths(__dirname), createRuntime: createCompanionRuntime }).catch((err: unknown) => {
  console.error(`[companion] failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
