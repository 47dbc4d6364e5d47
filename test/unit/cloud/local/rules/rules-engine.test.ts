import { describe, expect, it } from 'vitest';
import { RulesEngine, RuleStartupError, type RuleErrorRecord } from '../../../../../cloud/local/rules/index.ts';
import { VITALS_RULE_NAME } from '../../../../../cloud/ingest/vitals-rule.ts';

describe('RulesEngine (no stream configured)', () => {
  it('refuses to start on SQL outside the supported subset and names the rule', () => {
    expect(() => new RulesEngine({ ruleName: 'bad_rule', sql: "SELECT * FROM 'a/b' GROUP BY x" }))
      .toThrow(RuleStartupError);
    expect(() => new RulesEngine({ ruleName: 'bad_rule', sql: "SELECT * FROM 'a/b' GROUP BY x" }))
      .toThrow(/rule bad_rule cannot run locally: .+change the rule SQL/);
  });

  it('compiles THE vitals rule and runs it only on vitals topics', () => {
    const forwarded: number[] = [];
    const engine = new RulesEngine({ onForwarded: (n) => forwarded.push(n) });
    expect(engine.ruleName).toBe(VITALS_RULE_NAME);
    expect(engine.topicFilter).toBe('dt/bedside/+/vitals');
    engine.handlePublish('cmd/bedside/bedside-0001/reboot', Buffer.from('{}'), 'bedside-0001');
    engine.handlePublish('dt/bedside/bedside-0001/vitals', Buffer.from('not json at all'), 'bedside-0001');
    expect(engine.stats()).toMatchObject({ matched: 1, forwarded: 1, evaluationErrors: 0 });
    expect(forwarded).toEqual([1]);
  });

  it('counts messages a WHERE clause filters out without forwarding them', () => {
    const engine = new RulesEngine({ sql: "SELECT heart_rate FROM 'dt/bedside/+/vitals' WHERE heart_rate > 100" });
    engine.handlePublish('dt/bedside/b1/vitals', Buffer.from('{"heart_rate":72}'), 'b1');
    engine.handlePublish('dt/bedside/b1/vitals', Buffer.from('{"heart_rate":130}'), 'b1');
    expect(engine.stats()).toMatchObject({ matched: 2, filtered: 1, forwarded: 1 });
  });

  it('sends a message the SQL cannot evaluate to the error action with its original bytes', () => {
    const errors: RuleErrorRecord[] = [];
    const engine = new RulesEngine({
      ruleName: 'hr_only', sql: "SELECT heart_rate FROM 'dt/bedside/+/vitals'", onRuleError: (r) => errors.push(r),
    });
    const payload = Buffer.from([0xff, 0x00, 0x01]);
    engine.handlePublish('dt/bedside/b1/vitals', payload, 'b1');
    expect(engine.stats()).toMatchObject({ evaluationErrors: 1, forwarded: 0 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      ruleName: 'hr_only', topic: 'dt/bedside/b1/vitals', clientId: 'b1', base64OriginalPayload: payload.toString('base64'),
      failures: [{ failedAction: 'SqlEvaluation', failedResource: 'hr_only' }],
    });
    expect(engine.recentErrors).toEqual(errors);
  });
});
