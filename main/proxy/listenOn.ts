// Starts listening and says where: the port (the one asked for, or the one port 0 got) and the proxy's own
// origin (an IPv6 host in brackets), which the Origin check and redirects use.
import type { Server } from 'node:http';

export async function listenOn(server: Server, host: string, port: number): Promise<{ port: number; origin: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return { port: bound, origin: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
}
