import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../../../cloud/local/dashboard/screenshot.ts';

afterEach(() => { vi.restoreAllMocks(); });

// The whole run (the real stack, a fleet and Chromium for a minute) is what makes the README's screenshot;
// here only its command line, which must answer without starting anything.
describe('screenshot.ts', () => {
  it('prints its usage with --help and exits 0', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await expect(main(['--help'])).resolves.toBe(0);
    expect(log.mock.calls.join('\n')).toMatch(/1366x768[\s\S]*--after <s>/);
  });

  it('refuses a wait longer than its own timeout with exit 2', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await expect(main(['--after', '300', '--timeout', '240'])).resolves.toBe(2);
    expect(error.mock.calls.join('\n')).toContain('--after must be 0 or more seconds, less than --timeout (got 300)');
  });
});
