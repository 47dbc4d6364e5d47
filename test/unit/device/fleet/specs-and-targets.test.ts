import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MissingCredentialsError, UnknownThingError, resolveTarget } from '../../../../device/fleet/index.ts';
import { localSourceAddress, monitorSpec } from '../../../../device/fleet/specs.ts';
import { parseScenarioMix } from '../../../../device/vitals/index.ts';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe('fleet targets', () => {
  it('reads plain mqtt:// targets without certificates and names things bedside-NNNN', () => {
    const target = resolveTarget({ target: 'mqtt://127.0.0.1:1884' });
    expect([target.host, target.port, target.tls]).toEqual(['127.0.0.1', 1884, false]);
    expect(target.things(2).map((t) => t.thing)).toEqual(['bedside-0001', 'bedside-0002']);
    expect(target.credentials('bedside-0001')).toBeUndefined();
  });

  it('points local at 127.0.0.1:8883 and says which command makes missing certificates', () => {
    const dir = mkdtempSync(join(tmpdir(), 'certs-'));
    dirs.push(dir);
    const target = resolveTarget({ target: 'local', certsDir: dir });
    expect([target.host, target.port]).toEqual(['127.0.0.1', 8883]);
    expect(() => target.things(3)).toThrow(MissingCredentialsError);
    expect(() => target.things(3)).toThrow(/npm run certs -- --count 3/);
    expect(() => target.thing('bedside-0001')).toThrow(UnknownThingError);
  });

  it('reads the AWS endpoint and provisioned things, or says to run provision', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-out-'));
    dirs.push(dir);
    expect(() => resolveTarget({ target: 'aws', awsOutDir: dir })).toThrow(/npm run provision -- --count N first/);
    writeFileSync(join(dir, 'endpoint.json'), JSON.stringify({ endpoint: 'abc-ats.iot.eu-west-1.amazonaws.com' }));
    mkdirSync(join(dir, 'bedside-0001'));
    writeFileSync(join(dir, 'bedside-0001', 'cert.pem'), 'x');
    const target = resolveTarget({ target: 'aws', awsOutDir: dir });
    expect([target.host, target.port]).toEqual(['abc-ats.iot.eu-west-1.amazonaws.com', 8883]);
    expect(target.things(1)[0]?.thing).toBe('bedside-0001');
    expect(() => target.things(2)).toThrow(/provision -- --count 2/);
    expect(() => target.credentials('bedside-0001')).toThrow(/key.pem/);
  });

  it('refuses targets that are not local, aws or mqtt(s) URLs', () => {
    expect(() => resolveTarget({ target: 'http://x:1' })).toThrow(/mqtt:\/\/host:port/);
    expect(() => resolveTarget({ target: 'nowhere' })).toThrow(/not local, aws or mqtt/);
  });
});

describe('monitor specs', () => {
  it('derive scenario, seed and phase from the fleet index, not the worker', () => {
    const mix = parseScenarioMix('stable:1,sepsis:1');
    const identity = resolveTarget({ target: 'mqtt://h:1' }).things(5)[4]!;
    const a = monitorSpec(identity, 4, { seed: 9, mix, intervalMs: 1_000 });
    const b = monitorSpec(identity, 4, { seed: 9, mix, intervalMs: 1_000 });
    expect(a).toEqual(b);
    expect(a.phaseMs).toBeGreaterThanOrEqual(0);
    expect(a.phaseMs).toBeLessThan(1_000);
    expect(monitorSpec(identity, 4, { seed: 10, mix, intervalMs: 1_000 }).seed).not.toBe(a.seed);
  });

  it('spreads source addresses over 127.0.0.x only for big local fleets', () => {
    expect(localSourceAddress(5, 1_000, '127.0.0.1')).toBeUndefined();
    expect(localSourceAddress(5, 30_000, 'broker.example')).toBeUndefined();
    expect(localSourceAddress(5, 30_000, '127.0.0.1')).toBe('127.0.0.6');
    expect(localSourceAddress(255, 30_000, '127.0.0.1')).toBe('127.0.0.6');
  });
});
