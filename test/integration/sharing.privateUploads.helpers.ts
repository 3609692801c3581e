// Helpers for the private-uploads tests (SPEC §8.3): a key's upload form as the web UI sends it, and the file
// lists of /object_info/{class} as a client reads them.
import type { OutgoingHttpHeaders } from 'node:http';
import { request, type HttpResult } from '../helpers/http';

const B = '----private-uploads-boundary';

export interface UploadOptions {
  subfolder?: string;
  type?: string;
  overwrite?: string;
  path?: string;
}

/** POST /upload/image as the web UI sends it: the file first, then the text fields. */
export function uploadFile(url: string, who: OutgoingHttpHeaders, name: string, content: string | Buffer, o: UploadOptions = {}): Promise<HttpResult> {
  const parts: Buffer[] = [
    Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="image"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
  ];
  for (const field of ['type', 'subfolder', 'overwrite'] as const) {
    const value = o[field];
    if (value !== undefined) parts.push(Buffer.from(`\r\n--${B}\r\nContent-Disposition: form-data; name="${field}"\r\n\r\n${value}`));
  }
  parts.push(Buffer.from(`\r\n--${B}--\r\n`));
  return request(`${url}${o.path ?? '/upload/image'}`, { method: 'POST', headers: { ...who, 'content-type': `multipart/form-data; boundary=${B}` }, body: Buffer.concat(parts) });
}

/** The choices of one upload input in /object_info/{class} (old `[list, opts]` or io.Combo `["COMBO", {options}]`). */
export async function choices(url: string, who: OutgoingHttpHeaders, cls: string, input: string, path = `/object_info/${cls}`): Promise<string[]> {
  const res = await request(`${url}${path}`, { headers: who });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text}`);
  const node = res.json<Record<string, { input: { required: Record<string, [unknown, { options?: string[] }]> } }>>()[cls];
  const spec = node?.input.required[input];
  if (!spec) throw new Error(`${cls}.${input} not in ${path}`);
  return Array.isArray(spec[0]) ? (spec[0] as string[]) : (spec[1].options ?? []);
}

/** A workflow loading one file with LoadImage (or another loader) and previewing it. */
export function loadWorkflow(value: string, cls = 'LoadImage', input = 'image'): Record<string, unknown> {
  return {
    '1': { class_type: cls, inputs: { [input]: value } },
    '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
  };
}
