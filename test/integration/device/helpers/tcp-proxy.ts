/**
 * A TCP proxy between monitors and the broker that can swallow the broker's replies (PUBACKs) and then
 * cut the connections: the broker has the message, the monitor never hears so, and must resend it.
 */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Stop relaying broker -> client bytes (client -> broker still flows). */
  swallowReplies(on: boolean): void;
  /** Destroys every proxied connection. */
  cutAll(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let swallow = false;
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    const upstream = connect({ host: targetHost, port: targetPort });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => { if (!swallow) client.write(chunk); });
    const done = () => { client.destroy(); upstream.destroy(); pairs.delete(pair); };
    client.on('close', done);
    upstream.on('close', done);
    client.on('error', done);
    upstream.on('error', done);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    swallowReplies: (on) => { swallow = on; },
    cutAll: () => { for (const [a, b] of pairs) { a.destroy(); b.destroy(); } pairs.clear(); },
    close: () => new Promise<void>((resolve) => {
      for (const [a, b] of pairs) { a.destroy(); b.destroy(); }
      server.close(() => resolve());
    }),
  };
}
