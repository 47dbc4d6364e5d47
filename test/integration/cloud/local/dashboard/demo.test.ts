import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A port something else already listens on, as npm start's dashboard holds 8080. */
async function busyPort(): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('demo.ts', () => {
  it('exits 2 on a busy port and names the flag that picks another, without a stack trace', async () => {
    const port = await busyPort();
    const failure = await run(process.execPath, ['--import', 'tsx', 'cloud/local/dashboard/demo.ts', '--port', String(port), '--count', '2', '--history', '0'], { timeout: 30_000 })
      .then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => error);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toContain(`127.0.0.1:${port}: the port is in use`);
    expect(failure.stderr).toMatch(/--port 0 for a free one/);
    expect(failure.stderr).not.toMatch(/^\s+at /m);
  });
});
