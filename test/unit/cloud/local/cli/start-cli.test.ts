import { describe, expect, it } from 'vitest';
import { parseStartArgs, remoteAccessLines, startFailure } from '../../../../../cloud/local/cli/start.ts';
import { KinesisStoreLockedError } from '../../../../../cloud/local/kinesis/kinesalite.ts';
import { ThingsInUseError } from '../../../../../device/fleet/index.ts';
import { ThingsClaimedError } from '../../../../../device/outbox/index.ts';

describe('npm start flags', () => {
  it('suggests the flag a typo meant and range-checks negative numbers', () => {
    expect(parseStartArgs(['--cout', '5'])).toEqual({ error: 'unknown option --cout: did you mean --count?' });
    expect(parseStartArgs(['--count', '-3'])).toEqual({ error: '--count must be a whole number from 1 to 100000 (got "-3")' });
  });

  it('takes --interval and --duration as durations, and plain milliseconds for --interval', () => {
    expect(parseStartArgs(['--interval', '2s', '--duration', '90s'])).toMatchObject({ intervalMs: 2_000, durationMs: 90_000 });
    expect(parseStartArgs(['--interval', '500'])).toMatchObject({ intervalMs: 500 });
    expect(parseStartArgs(['--duration', 'soon'])).toEqual({ error: expect.stringMatching(/--duration "soon"/) });
  });

  it('passes --server-host names on for the broker certificate', () => {
    expect(parseStartArgs(['--server-host', '192.168.1.20', '--server-host', 'ward-pc.local'])).toMatchObject({ serverHosts: ['192.168.1.20', 'ward-pc.local'] });
  });
});

describe('npm start on a data dir another stack holds', () => {
  it('names the process and says how to stop it or pick another --data-dir', () => {
    const error = new KinesisStoreLockedError('/x/data/kinesis', { pid: 4242, command: 'node cloud/local/cli/start.ts' });
    const text = startFailure(error, '/x/data');
    expect(text).toContain('another stack is running on data dir /x/data (pid 4242: node cloud/local/cli/start.ts)');
    expect(text).toContain('kill -INT 4242');
    expect(text).toContain('--data-dir data-2');
    expect(text).not.toMatch(/OpenError|IO error/);
  });
});

describe('npm start while another process runs its monitors', () => {
  it('names the owner and offers --no-fleet instead of the fleet CLI\'s --first', () => {
    const owner = { pid: 777, group: 'g', groupPid: 777, command: 'npm run fleet', startedAt: '2026-12-05T04:00:00.000Z' };
    const claimed = new ThingsClaimedError(owner, ['bedside-0001', 'bedside-0002'], false);
    const text = startFailure(new ThingsInUseError(`${claimed.message}. ... --first 3`, { cause: claimed }), '/x/data');
    expect(text).toContain('already run by process 777 (npm run fleet, since 2026-12-05T04:00:00.000Z)');
    expect(text).toContain('kill -INT 777');
    expect(text).toContain('npm start -- --no-fleet');
    expect(text).not.toContain('--first');
  });
});

describe('the banner for a broker beyond loopback', () => {
  const access = { host: '0.0.0.0', port: 8883, lanAddresses: ['192.168.1.20', '10.0.0.5'], certHosts: ['localhost', '127.0.0.1', '192.168.1.20'], certsDir: './data/certs', localFleet: 0, certifiedThings: 50 };

  it('prints nothing for the default 127.0.0.1', () => {
    expect(remoteAccessLines({ ...access, host: '127.0.0.1' })).toEqual([]);
  });

  it('lists the LAN addresses and whether the broker certificate names each', () => {
    const text = remoteAccessLines(access).join('\n');
    expect(text).toContain('mqtts://192.168.1.20:8883  named in the broker certificate');
    expect(text).toContain('mqtts://10.0.0.5:8883      NOT named in the broker certificate (TLS refuses it): restart with --server-host 10.0.0.5');
  });

  it('says which files another machine needs and the fleet command it runs', () => {
    const text = remoteAccessLines(access).join('\n');
    expect(text).toContain('copy ./data/certs/registry.json and ./data/certs/devices/ (never ca/ca.key)');
    expect(text).toContain('npm run fleet -- --target mqtts://192.168.1.20:8883 --certs-dir <the copy> --count 50');
    const beside = remoteAccessLines({ ...access, localFleet: 50 }).join('\n');
    expect(beside).toContain('--first 51 --count 20');
    expect(beside).toContain('npm run certs -- --dir ./data/certs --count 70');
  });
});
