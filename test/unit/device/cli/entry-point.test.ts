import { describe, expect, it } from 'vitest';
import { quietNodeVersionWarning } from '../../../../device/cli/entry-point.ts';

describe('the AWS SDK Node version warning', () => {
  it('is switched off with the SDK own variable, unless the user set it', () => {
    const env: NodeJS.ProcessEnv = {};
    quietNodeVersionWarning(env);
    expect(env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
    const asked: NodeJS.ProcessEnv = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' };
    quietNodeVersionWarning(asked);
    expect(asked.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('false');
  });

  it('is off in the tests too (vitest.config.ts)', () => {
    expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
  });
});
