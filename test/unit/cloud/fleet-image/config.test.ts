import { describe, expect, it } from 'vitest';
import { FleetImageConfigError, readFleetImageConfig } from '../../../../cloud/fleet-image/config.ts';

const AWS = { FLEET_MONITORS: '100000', SHARD_COUNT: '20', FLEET_CREDENTIALS_URI: 's3://fleet-credentials/fleet/' };

describe('readFleetImageConfig', () => {
  it('takes the 0-based SHARD_INDEX as shard index + 1 and divides the connect quota', () => {
    const config = readFleetImageConfig({ ...AWS, SHARD_INDEX: '19' });
    expect(config.shard).toEqual({ index: 20, of: 20 });
    expect(config.connectRatePerSecond).toBe(5);
    expect(config).toMatchObject({ target: 'aws', transport: 'lite', publishRatePerSecond: 90, intervalMs: 1000 });
  });

  it('reads a Kubernetes Indexed Job completion index when SHARD_INDEX is absent', () => {
    expect(readFleetImageConfig({ ...AWS, JOB_COMPLETION_INDEX: '3' }).shard).toEqual({ index: 4, of: 20 });
  });

  it('names the variable that is missing or out of range', () => {
    expect(() => readFleetImageConfig({ ...AWS })).toThrow(/JOB_COMPLETION_INDEX is required/);
    expect(() => readFleetImageConfig({ ...AWS, SHARD_INDEX: '20' })).toThrow(/SHARD_INDEX=20 is not below SHARD_COUNT=20/);
    expect(() => readFleetImageConfig({ ...AWS, SHARD_INDEX: '0', FLEET_TRANSPORT: 'carrier-pigeon' })).toThrow(FleetImageConfigError);
    expect(() => readFleetImageConfig({ FLEET_MONITORS: '10' })).toThrow(/FLEET_CREDENTIALS_URI=s3:/);
    expect(() => readFleetImageConfig({ FLEET_MONITORS: 'many', FLEET_TARGET: 'mqtt://h:1' })).toThrow(/FLEET_MONITORS must be an integer/);
  });

  it('runs a single shard against any broker without credentials', () => {
    expect(readFleetImageConfig({ FLEET_MONITORS: '10', FLEET_TARGET: 'mqtt://127.0.0.1:1883' })).toMatchObject({ shard: { index: 1, of: 1 }, credentialsUri: undefined, connectRatePerSecond: 100 });
  });
});
