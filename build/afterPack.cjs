// electron-builder afterPack hook: flips Electron fuses in the packaged binary so the shipped app
// cannot be turned into a general Node runtime or debugged/injected through env vars and flags.
const path = require('node:path');
const { flipFuses, FuseVersion, FuseV1Options } = require('@electron/fuses');

/** What each fuse does: https://www.electronjs.org/docs/latest/tutorial/fuses */
const FUSE_CONFIG = {
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false, // ELECTRON_RUN_AS_NODE would make the binary a plain Node.
  [FuseV1Options.EnableCookieEncryption]: true, // cookies on disk encrypted with the OS key.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false, // NODE_OPTIONS could preload code.
  [FuseV1Options.EnableNodeCliInspectArguments]: false, // --inspect would open a debugger port.
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true, // refuse a tampered app.asar (macOS/Windows).
  [FuseV1Options.OnlyLoadAppFromAsar]: true, // never load an unpacked app/ folder dropped next to it.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false, // we serve app://, not file://.
};

/** Path of the Electron executable inside the packed output, per platform. */
function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const name = packager.appInfo.productFilename;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${name}.app`);
    case 'win32':
      return path.join(appOutDir, `${name}.exe`);
    default:
      return path.join(appOutDir, packager.executableName);
  }
}

async function afterPack(context) {
  const binary = electronBinaryPath(context);
  // arm64 macOS binaries are ad-hoc signed; flipping bytes breaks that signature unless reset.
  const resetAdHocDarwinSignature = context.electronPlatformName === 'darwin' && context.arch === 3; // Arch.arm64
  await flipFuses(binary, { ...FUSE_CONFIG, resetAdHocDarwinSignature });
  console.log(`  • fuses flipped in ${path.basename(binary)}`);
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.FUSE_CONFIG = FUSE_CONFIG;
module.exports.electronBinaryPath = electronBinaryPath;
