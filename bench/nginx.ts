// Runs Debian's nginx as a plain reverse proxy (no auth) in a temp dir, as the reference point for the proxy's overhead.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NGINX_BIN = '/usr/sbin/nginx';

export interface RunningNginx {
  url: string;
  /** The one nginx process (master_process off: it is the worker). */
  pid: number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/**
 * With `mirrorPort`, every request is also sent to a second upstream (ngx_http_mirror_module, built into Debian's
 * nginx): nginx's own way of delivering one upload to two servers, the reference for the proxy's upload fan-out.
 * Mirroring the body makes nginx read it whole first, into its temp file (`mirror_request_body` overrides
 * `proxy_request_buffering off`): this is nginx's cost of the same work, not a streaming twin of the proxy's tee.
 */
function mirrorConfig(mirrorPort: number | undefined): { upstream: string; location: string; directives: string } {
  if (mirrorPort === undefined) return { upstream: '', location: '', directives: '' };
  return {
    upstream: `  upstream mirror { server 127.0.0.1:${mirrorPort}; keepalive 64; keepalive_requests 1000000; }\n`,
    location: `    location = /__mirror { internal; proxy_set_header Connection ""; proxy_set_header Host 127.0.0.1:${mirrorPort}; proxy_pass http://mirror$request_uri; }\n`,
    directives: '      mirror /__mirror;\n      mirror_request_body on;\n',
  };
}

function config(dir: string, port: number, upstreamPort: number, mirrorPort?: number): string {
  const mirror = mirrorConfig(mirrorPort);
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  keepalive_requests 1000000;
  upstream comfy { server 127.0.0.1:${upstreamPort}; keepalive 64; keepalive_requests 1000000; }
${mirror.upstream}  server {
    listen 127.0.0.1:${port};
    client_max_body_size 0;
    proxy_request_buffering off;
    proxy_buffering off;
    proxy_http_version 1.1;
    proxy_set_header Host 127.0.0.1:${upstreamPort};
${mirror.location}    location / {
${mirror.directives}      proxy_set_header Connection "";
      proxy_pass http://comfy;
    }
    location /ws {
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_read_timeout 1h;
      proxy_pass http://comfy;
    }
  }
}
`;
}

/** Starts nginx in front of the upstream port (and mirroring to a second), or returns null when nginx is not installed. */
export async function startNginx(upstreamPort: number, mirrorPort?: number): Promise<RunningNginx | null> {
  if (!existsSync(NGINX_BIN)) return null;
  const dir = await mkdtemp(join(tmpdir(), 'bench-nginx-'));
  await mkdir(join(dir, 'tmp'));
  const port = await freePort();
  await writeFile(join(dir, 'nginx.conf'), config(dir, port, upstreamPort, mirrorPort));
  const proc: ChildProcess = spawn(NGINX_BIN, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  for (let i = 0; i < 100 && proc.exitCode === null; i++) {
    if (await canConnect(port)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  if (proc.exitCode !== null || !(await canConnect(port))) {
    await stop();
    throw new Error('nginx did not start (see stderr above)');
  }
  return { url: `http://127.0.0.1:${port}`, pid: proc.pid ?? -1, stop };
}
