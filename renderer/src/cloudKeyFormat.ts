// As-you-type check of a pasted Comfy API key. Mirrors the shape rule in main/cloud/cloudEnvironments.ts
// (the renderer cannot import main code); main validates again, so this only guides the user.

export type KeyFormat = { state: 'empty' | 'ok' | 'bad'; message: string };

const SHAPE = /^comfyui-[A-Za-z0-9_-]{16,256}$/;

export function checkCloudKeyFormat(key: string): KeyFormat {
  if (key === '') return { state: 'empty', message: 'Paste a key that starts with "comfyui-"' };
  if (key !== key.trim()) return { state: 'bad', message: 'Remove the spaces around the key' };
  if (!'comfyui-'.startsWith(key) && !key.startsWith('comfyui-')) return { state: 'bad', message: 'A Comfy API key starts with "comfyui-"' };
  if (SHAPE.test(key)) return { state: 'ok', message: 'Looks like a Comfy API key' };
  if (/[^A-Za-z0-9_-]/.test(key.slice(8))) return { state: 'bad', message: 'The key contains characters a Comfy API key never has' };
  if (key.length < 24) return { state: 'bad', message: 'The key looks too short — was it copied completely?' };
  return { state: 'bad', message: 'The key is too long' };
}
