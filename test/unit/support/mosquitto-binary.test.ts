import { describe, expect, it, vi } from 'vitest';
import { mosquittoBinary } from '../../support/mosquitto-binary.ts';

describe('mosquittoBinary', () => {
  it('finds the installed mosquitto (CI installs it)', () => {
    expect(mosquittoBinary({ CI: 'true' })).toMatch(/\/mosquitto$/);
  });

  it('fails in CI when mosquitto is missing, and skips with a warning on a developer machine', () => {
    expect(() => mosquittoBinary({ CI: 'true' }, ['/nonexistent/mosquitto'])).toThrow(/CI must run the interop suites: apt-get install mosquitto/);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(mosquittoBinary({}, ['/nonexistent/mosquitto'])).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('skipped'));
    warn.mockRestore();
  });
});
