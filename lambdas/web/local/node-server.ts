import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { serve } from '@hono/node-server';
import { createWebApp } from '../app.ts';
import type { WebDeps } from '../ports.ts';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

/** The address a phone on the same network can reach: the host itself, or a LAN address for 0.0.0.0. */
export function reachableHost(host: string): string {
  if (host !== '0.0.0.0' && host !== '::') return host.includes(':') ? `[${host}]` : host;
  for (const addresses of Object.values(networkInterfaces())) {
    const lan = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (lan) return lan.address;
  }
  return '127.0.0.1';
}

/** Serves the app on `host:port` (0 picks a free port); resolves once listening. */
export async function startWebServer(
  deps: WebDeps,
  options: { host: string; port: number },
): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const app = createWebApp(deps);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info) => {
      const { port } = info as AddressInfo;
      resolve({
        baseUrl: `http://${reachableHost(options.host)}:${port}`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
    server.on('error', reject);
  });
}
