/**
 * The only socket of the local broker: a TLS 1.2+ server that requires a client certificate signed by
 * the local CA (rejectUnauthorized), as IoT Core does on 8883. Verified streams go to `onConnection`.
 */
import { createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';

export class BrokerListenError extends Error {
  override readonly name = 'BrokerListenError';
}

export interface TlsListenerOptions {
  host: string;
  port: number;
  caPem: string;
  certPem: string;
  keyPem: string;
  onConnection(socket: TLSSocket): void;
  onHandshakeError(remoteAddress: string, error: Error): void;
}

export interface TlsListener {
  port: number;
  /** Stops accepting and destroys sockets still in their handshake; established ones are the broker's. */
  close(): Promise<void>;
}

export async function listenTls(options: TlsListenerOptions): Promise<TlsListener> {
  const server = createServer({
    ca: options.caPem,
    cert: options.certPem,
    key: options.keyPem,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    // Monitors idle between 1 Hz publishes; the MQTT keep-alive is the liveness check.
    handshakeTimeout: 10_000,
  }, options.onConnection);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', (error, socket) => {
    options.onHandshakeError(socket.remoteAddress ?? '', error);
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new BrokerListenError(error.code === 'EADDRINUSE'
        ? `the broker cannot listen on ${options.host}:${options.port}: the port is in use. Stop the other broker (mosquitto?) or pick another port.`
        : `the broker cannot listen on ${options.host}:${options.port}: ${error.message}`, { cause: error }));
    });
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }),
  };
}
