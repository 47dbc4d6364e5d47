import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { costTable, estimate, fleetCost, fleetCostTable } from '../../../cloud/stack/cost-model.ts';
import { PROFILES } from '../../../cloud/stack/defaults.ts';

describe('the cost model', () => {
  it('keeps the trial profile with 10 monitors under $25 a month at the interval it states', () => {
    const trial = estimate('trial', 10);
    expect(PROFILES.trial.publishIntervalMs).toBe(10_000);
    expect(trial.total).toBeLessThan(25);
    // The same fleet at 1 Hz would spend about that on IoT messaging alone.
    expect(estimate('standard', 10).lines.find((l) => l.item === 'IoT messaging')!.usd).toBeGreaterThan(25);
  });

  it('costs less on the trial profile than on the standard one at every fleet size', () => {
    for (const monitors of [10, 100, 1_000]) expect(estimate('trial', monitors).total).toBeLessThan(estimate('standard', monitors).total);
  });

  it('prices what the profile deploys: no dashboard on trial, QuickSight only when asked', () => {
    const cw = (profile: 'trial' | 'standard') => estimate(profile, 10).lines.find((l) => l.item.startsWith('Secrets'))!.usd;
    // The dashboard ($3), plus the standard profile's larger log volume.
    expect(cw('standard') - cw('trial')).toBeGreaterThanOrEqual(3);
    expect(estimate('standard', 10).lines.some((l) => l.item.startsWith('QuickSight'))).toBe(false);
    expect(estimate('standard', 10, { quickSight: true }).lines.at(-1)!.item).toMatch(/QuickSight/);
  });

  it('prices the Fargate fleet by its tasks (one per 5,000 lite monitors), only when asked', () => {
    expect(estimate('standard', 1_000).lines.some((l) => l.item.startsWith('Simulator fleet'))).toBe(false);
    const fleet = fleetCost(100_000);
    expect(fleet.tasks).toBe(20);
    // 1 vCPU + 2 GB on ARM64 plus a public IPv4 address: about 4.4 cents a task-hour.
    expect(fleet.usdPerHour / fleet.tasks).toBeCloseTo(0.03238 + 2 * 0.00356 + 0.005, 6);
    expect(estimate('standard', 100_000, { fleet: true }).lines.at(-1)).toEqual({ item: 'Simulator fleet on Fargate (20 task(s), non-stop)', usd: fleet.usdPerMonth });
    expect(fleetCost(100_000, 'mqtt').tasks).toBe(40);
  });

  it('is the table cloud/stack/README.md shows, for both profiles and the fleet', () => {
    expect(readFileSync(new URL('../../../cloud/stack/README.md', import.meta.url), 'utf8')).toContain(fleetCostTable());
    const readme = readFileSync(new URL('../../../cloud/stack/README.md', import.meta.url), 'utf8');
    expect(readme).toContain(costTable('standard'));
    expect(readme).toContain(costTable('trial'));
  });
});
