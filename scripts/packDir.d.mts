export function makeStandInElectron(dir: string): string;
export function packDir(outDir?: string): Promise<{ ok: boolean; appOutDir: string; log: string }>;
