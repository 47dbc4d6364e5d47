/**
 * The IoT rule that forwards vitals to Kinesis, defined once (DESIGN §3): the CDK topic rule and the
 * local rules engine both use this SQL and partition key.
 *
 * The payload travels base64-encoded inside an envelope rather than as `SELECT *`: AWS IoT cannot add
 * fields to a payload that is not JSON, so a garbled message would fail in the rules engine instead of
 * reaching the ETL. Encoded, every message a device was allowed to publish reaches the ETL byte for byte,
 * and the ETL quarantines what is not valid with a reason (not JSON, bad UTF-8, ...). Nothing is dropped
 * on the way.
 */
export const VITALS_RULE_NAME = 'bedside_vitals_to_kinesis';

export const VITALS_RULE_SQL =
  "SELECT encode(*, 'base64') AS payload, topic(3) AS thing_name, clientid() AS client_id, " +
  "timestamp() AS received_at FROM 'dt/bedside/+/vitals'";

/**
 * The rule SQL of a stack copy deployed with `-c prefix=p`: the same statement, taking only things named
 * `p-...`, so two copies in one account (whose rules see the same topics) never ingest each other's devices.
 */
export function vitalsRuleSqlFor(thingNamePrefix: string | undefined): string {
  if (thingNamePrefix === undefined) return VITALS_RULE_SQL;
  if (!/^[a-z0-9-]+$/.test(thingNamePrefix)) throw new Error(`thing name prefix "${thingNamePrefix}" may hold only a-z, 0-9 and -`);
  return `${VITALS_RULE_SQL} WHERE startswith(topic(3), '${thingNamePrefix}')`;
}

/** AWS IoT SQL version the rule is written against. */
export const VITALS_RULE_SQL_VERSION = '2016-03-23';

/** Kinesis partition key (a substitution template): the thing name, so one device stays in order. */
export const VITALS_PARTITION_KEY = '${topic(3)}';

/** What the rule writes to Kinesis, one record per MQTT message. */
export interface VitalsEnvelope {
  /** The MQTT payload exactly as published, base64. */
  payload: string;
  thing_name: string;
  client_id: string;
  /** Epoch milliseconds when IoT Core (or the local broker) received the message. */
  received_at: number;
}
