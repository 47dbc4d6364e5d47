import { describe, expect, it } from 'vitest';
import { encodeVitals, VitalsV1Schema, type VitalsV1 } from '../../../../../device/contract/index.ts';
import { compileRule, RuleEvaluationError, substituteTemplate, UnsupportedSqlError, type RuleContext } from '../../../../../cloud/ingest/iot-sql/index.ts';
import { VITALS_PARTITION_KEY, VITALS_RULE_SQL, type VitalsEnvelope } from '../../../../../cloud/ingest/vitals-rule.ts';

const NOW = 1_764_000_000_000;
const message = (topic: string, payload: string | Buffer, clientId = 'client-1'): RuleContext => ({
  topic,
  payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
  clientId,
  timestampMs: NOW,
});

interface Case {
  name: string;
  sql: string;
  topic?: string;
  payload: string;
  expected: Record<string, unknown> | undefined;
}

const RED = '{"color":"red", "temperature":50}';

describe('IoT SQL on the AWS IoT SQL reference examples', () => {
  const cases: Case[] = [
    // "AWS IoT SQL reference" (introduction)
    {
      name: 'AWS IoT SQL reference: the introductory rule',
      sql: "SELECT color AS rgb FROM 'topic/subtopic' WHERE temperature > 50",
      payload: '{ "color":"red", "temperature":100 }',
      expected: { rgb: 'red' },
    },
    // "Data types"
    { name: 'Data types: NULL is a value', sql: "SELECT NULL AS n FROM 'topic/subtopic'", payload: RED, expected: { n: null } },
    { name: 'Data types: a null key is Null, a missing key Undefined and left out', sql: "SELECT foo, bar FROM 'topic/subtopic'", payload: '{"foo":null}', expected: { foo: null } },
    // "SELECT clause"
    { name: 'SELECT clause: * returns the whole payload', sql: "SELECT * FROM 'topic/subtopic'", payload: RED, expected: { color: 'red', temperature: 50 } },
    { name: 'SELECT clause: a key', sql: "SELECT color FROM 'topic/subtopic'", payload: RED, expected: { color: 'red' } },
    { name: 'SELECT clause: AS renames', sql: "SELECT color AS my_color FROM 'topic/subtopic'", payload: RED, expected: { my_color: 'red' } },
    {
      name: 'SELECT clause: several items',
      sql: "SELECT color as my_color, temperature as fahrenheit FROM 'topic/subtopic'",
      payload: RED,
      expected: { my_color: 'red', fahrenheit: 50 },
    },
    { name: 'SELECT clause: * plus a literal', sql: "SELECT *, 15 as speed FROM 'topic/subtopic'", payload: RED, expected: { color: 'red', temperature: 50, speed: 15 } },
    { name: 'SELECT clause: a missing key is left out (Undefined)', sql: "SELECT color, size FROM 'topic/subtopic'", payload: RED, expected: { color: 'red' } },
    {
      name: 'SELECT clause: nested keys by dot, named by the last element',
      sql: "SELECT state.reported.temp, state.reported.unit AS u FROM 'topic/subtopic'",
      payload: '{"state":{"reported":{"temp":21.5,"unit":"C"}}}',
      expected: { temp: 21.5, u: 'C' },
    },
    // "WHERE clause"
    {
      name: 'WHERE clause: the documented example is false, so no action runs',
      sql: "SELECT color AS my_color FROM 'topic/subtopic' WHERE temperature > 50 AND color <> 'red'",
      payload: '{"color":"red", "temperature":40}',
      expected: undefined,
    },
    {
      name: 'WHERE clause: the same rule on a matching message',
      sql: "SELECT color AS my_color FROM 'topic/subtopic' WHERE temperature > 50 AND color <> 'red'",
      payload: '{"color":"blue", "temperature":60}',
      expected: { my_color: 'blue' },
    },
    { name: 'WHERE clause: a missing field is Undefined, which is not true', sql: "SELECT * FROM 'topic/subtopic' WHERE size = 3", payload: RED, expected: undefined },
    { name: 'WHERE clause: OR with parentheses', sql: "SELECT color FROM 'topic/subtopic' WHERE (temperature < 0 OR temperature >= 50) AND NOT color = 'blue'", payload: RED, expected: { color: 'red' } },
    { name: 'WHERE clause: != is the same as <>', sql: "SELECT color FROM 'topic/subtopic' WHERE color != 'red'", payload: RED, expected: undefined },
    // "Operators"
    { name: 'Operators: AND takes the strings "true"/"false" (case-insensitive)', sql: "SELECT color FROM 'topic/subtopic' WHERE flag AND 'TRUE'", payload: '{"color":"red","flag":"true"}', expected: { color: 'red' } },
    { name: 'Operators: AND with a number is Undefined', sql: "SELECT color FROM 'topic/subtopic' WHERE temperature AND true", payload: RED, expected: undefined },
    { name: 'Operators: NOT of Undefined is Undefined, not true', sql: "SELECT color FROM 'topic/subtopic' WHERE NOT size", payload: RED, expected: undefined },
    { name: 'Operators: > converts a numeric string', sql: "SELECT color FROM 'topic/subtopic' WHERE temperature > '49.5'", payload: RED, expected: { color: 'red' } },
    // "Functions"
    { name: 'Functions: topic() is the whole topic', sql: "SELECT topic() AS t FROM 'topic/subtopic'", payload: RED, expected: { t: 'topic/subtopic' } },
    { name: 'Functions: topic(n) is 1-based', sql: "SELECT topic(1) AS a, topic(2) AS b FROM 'topic/subtopic'", payload: RED, expected: { a: 'topic', b: 'subtopic' } },
    { name: 'Functions: topic(n) past the last level is Undefined', sql: "SELECT topic(3) AS c, color FROM 'topic/subtopic'", payload: RED, expected: { color: 'red' } },
    { name: 'Functions: timestamp() is the receive time in ms', sql: "SELECT timestamp() AS ts FROM 'topic/subtopic'", payload: RED, expected: { ts: NOW } },
    { name: 'Functions: clientid() and unaliased names', sql: "SELECT clientid(), timestamp() FROM 'topic/subtopic'", payload: RED, expected: { clientid: 'client-1', timestamp: NOW } },
    // "Working with binary payloads"
    {
      name: 'Working with binary payloads: encode(*, \'base64\') and timestamp() on any payload',
      sql: "SELECT encode(*, 'base64') AS data, timestamp() AS ts FROM 'topic/subtopic'",
      payload: '\u0001\u0002not json',
      expected: { data: Buffer.from('\u0001\u0002not json').toString('base64'), ts: NOW },
    },
    {
      name: 'Working with binary payloads: WHERE naming a field of a binary payload is not true',
      sql: "SELECT * FROM 'topic/subtopic' WHERE device_type = 'thermostat'",
      payload: 'binary!',
      expected: undefined,
    },
    { name: 'Working with binary payloads: an empty payload takes added fields', sql: "SELECT *, timestamp() AS ts FROM 'topic/subtopic'", payload: '', expected: { ts: NOW } },
  ];

  it.each(cases)('$name', (c) => {
    expect(compileRule(c.sql).evaluate(message(c.topic ?? 'topic/subtopic', c.payload))).toEqual(c.expected);
  });
});

describe('IoT SQL FROM clause (MQTT topic filters, "FROM clause")', () => {
  it.each([
    ['topic/subtopic', 'topic/subtopic', true],
    ['topic/#', 'topic/subtopic', true],
    ['topic/#', 'topic/subtopic/deeper', true],
    ['topic/#', 'topic', true],
    ['topic/+', 'topic/subtopic', true],
    ['topic/+', 'topic/subtopic/deeper', false],
    ['dt/bedside/+/vitals', 'dt/bedside/bedside-0001/vitals', true],
    ['dt/bedside/+/vitals', 'dt/bedside/bedside-0001/status', false],
    ['dt/bedside/+/vitals', 'dt/bedside/vitals', false],
    ['#', '$aws/things/x/shadow/update', false],
    ['+/things/x', '$aws/things/x', false],
    ['$aws/things/+/shadow/update', '$aws/things/x/shadow/update', true],
  ])("FROM '%s' on %s matches: %s", (filter, topic, expected) => {
    const rule = compileRule(`SELECT * FROM '${filter}'`);
    expect(rule.topicFilter).toBe(filter);
    expect(rule.matches(topic)).toBe(expected);
    expect(rule.evaluate(message(topic, '{"a":1}')) !== undefined).toBe(expected);
  });
});

describe('IoT SQL binary payloads', () => {
  it('forwards a non-JSON payload untouched with a plain SELECT *', () => {
    const bytes = Buffer.from([0xff, 0x00, 0x7b]);
    expect(compileRule("SELECT * FROM 'topic/subtopic'").evaluatePayload(message('topic/subtopic', bytes))).toEqual(bytes);
  });

  it('serialises the selected object as the outgoing JSON payload', () => {
    const out = compileRule("SELECT color FROM 'topic/subtopic'").evaluatePayload(message('topic/subtopic', RED));
    expect(out?.toString()).toBe('{"color":"red"}');
  });

  it('refuses to read a field of a non-JSON payload in SELECT', () => {
    const rule = compileRule("SELECT device_id FROM 'topic/subtopic'");
    expect(() => rule.evaluate(message('topic/subtopic', 'garbled{'))).toThrow(RuleEvaluationError);
    expect(() => rule.evaluate(message('topic/subtopic', 'garbled{'))).toThrow(/not JSON, so SELECT cannot read the field "device_id"/);
  });

  it('refuses to add fields to a non-JSON payload', () => {
    expect(() => compileRule("SELECT *, timestamp() AS ts FROM 'topic/subtopic'").evaluate(message('topic/subtopic', 'raw'))).toThrow(RuleEvaluationError);
  });
});

describe('IoT SQL outside the subset fails at compile time', () => {
  it.each([
    ["SELECT temperature + 1 AS t FROM 'a'", /character "\+"/],
    ["SELECT upper(color) AS c FROM 'a'", /function upper\(\) is not supported/],
    ["SELECT CASE color WHEN 'red' THEN 1 END AS c FROM 'a'", /CASE .* is not supported/],
    ["SELECT * FROM 'a' WHERE color IN ('red')", /IN .* is not supported/],
    ["SELECT * FROM 'a' WHERE color LIKE 're%'", /LIKE .* is not supported/],
    ["SELECT encode(color, 'base64') AS c FROM 'a'", /encode\(\) is supported only as encode\(\*, 'base64'\)/],
    ["SELECT encode(*, 'hex') AS c FROM 'a'", /only the 'base64' encoding/],
    ["SELECT topic(x) AS c FROM 'a'", /topic\(n\) needs a positive integer/],
    ["SELECT 15 FROM 'a'", /needs a name: add AS <name>/],
    ["SELECT * FROM a", /FROM needs a topic filter in single quotes/],
    ["SELECT * FROM 'a/#/b'", /"#" must be a whole level and the last one/],
    ["SELECT * FROM 'a' WHERE 1 < temperature < 3", /chained comparisons/],
    ["SELECT \"color\" FROM 'a'", /quoted identifiers/],
    ["SET @x = 1 SELECT * FROM 'a'", /SET .* is not supported/],
    ["SELECT color, color FROM 'a'", /names "color" twice/],
    ["SELECT * FROM 'a' WHERE", /expected a value, found the end of the statement/],
  ])('%s', (sql, message) => {
    expect(() => compileRule(sql)).toThrow(UnsupportedSqlError);
    expect(() => compileRule(sql)).toThrow(message);
  });
});

describe('the project rule (cloud/ingest/vitals-rule.ts)', () => {
  const rule = compileRule(VITALS_RULE_SQL);
  const reading: VitalsV1 = VitalsV1Schema.parse({
    schema: 'vitals/1',
    device_id: 'bedside-0001',
    patient_id: 'MRN0000001',
    seq: 42,
    timestamp: '2026-11-24T17:00:00.000Z',
    heart_rate: 72,
    spo2: 97,
    respiratory_rate: 14,
    systolic_bp: 121,
    diastolic_bp: 79,
    temperature_c: 36.8,
    on_oxygen: false,
    ward: 'icu',
    bed: 'icu-001',
    consciousness: 'A',
    battery_pct: 88,
  });

  it('wraps a real vitals payload in the envelope, byte for byte', () => {
    const payload = encodeVitals(reading);
    const out = rule.evaluate(message('dt/bedside/bedside-0001/vitals', payload, 'bedside-0001')) as unknown as VitalsEnvelope;
    expect(out).toEqual({ payload: Buffer.from(payload).toString('base64'), thing_name: 'bedside-0001', client_id: 'bedside-0001', received_at: NOW });
    expect(JSON.parse(Buffer.from(out.payload, 'base64').toString('utf8'))).toEqual(reading);
  });

  it('wraps a non-JSON payload too, so the ETL can quarantine it', () => {
    const garbled = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x7b]);
    const out = rule.evaluate(message('dt/bedside/bedside-0002/vitals', garbled, 'bedside-0002')) as unknown as VitalsEnvelope;
    expect(Buffer.from(out.payload, 'base64')).toEqual(garbled);
    expect(out.thing_name).toBe('bedside-0002');
  });

  it('ignores topics outside dt/bedside/+/vitals', () => {
    expect(rule.evaluate(message('cmd/bedside/bedside-0001/identify', '{}'))).toBeUndefined();
    expect(rule.matches('$aws/things/bedside-0001/shadow/update')).toBe(false);
  });

  it('resolves the partition key template to the thing name', () => {
    expect(substituteTemplate(VITALS_PARTITION_KEY, message('dt/bedside/bedside-0042/vitals', '{}'))).toBe('bedside-0042');
  });
});

describe('substitution templates', () => {
  const ctx = message('dt/bedside/bedside-0007/vitals', '{"device_id":"bedside-0007","nested":{"n":3}}', 'bedside-0007');

  it.each([
    ['${topic(3)}', 'bedside-0007'],
    ['${clientid()}', 'bedside-0007'],
    ['device/${device_id}', 'device/bedside-0007'],
    ['${topic(1)}-${nested.n}-${timestamp()}', `dt-3-${NOW}`],
    ['${missing}/x', '/x'],
    ['no template', 'no template'],
  ])('%s becomes %s', (template, expected) => {
    expect(substituteTemplate(template, ctx)).toBe(expected);
  });

  it('fails on an expression outside the subset', () => {
    expect(() => substituteTemplate('${upper(device_id)}', ctx)).toThrow(UnsupportedSqlError);
  });
});
