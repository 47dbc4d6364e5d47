/**
 * The local rules engine: THE vitals rule (cloud/ingest/vitals-rule.ts), compiled once at start by the
 * AWS IoT SQL evaluator, run on every publish the broker authorised, and delivered to Kinesis with
 * PutRecords through the batcher. Failed deliveries and evaluation errors go to the error action.
 */
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { compileRule, substituteTemplate, type CompiledRule, type RuleContext } from '../../ingest/iot-sql/index.ts';
import { VITALS_PARTITION_KEY, VITALS_RULE_NAME, VITALS_RULE_SQL } from '../../ingest/vitals-rule.ts';
import { RuleErrorLog, ruleErrorRecord, type RuleErrorRecord, type RuleFailure } from './error-action.ts';
import { PutRecordsBatcher, type BatcherOptions } from './put-records-batcher.ts';

export { RuleErrorLog, ruleErrorRecord, type RuleErrorRecord, type RuleFailure } from './error-action.ts';
export { PutRecordsBatcher, type BatcherOptions, type BatcherStats } from './put-records-batcher.ts';

export class RuleStartupError extends Error {
  override readonly name = 'RuleStartupError';
}

export interface RulesEngineOptions {
  ruleName?: string;
  sql?: string;
  partitionKeyTemplate?: string;
  kinesis?: { client: KinesisClient; streamName: string };
  /** Directory for the error action's JSON lines; without it failures are only kept in memory and emitted. */
  errorsDir?: string;
  now?: () => number;
  batching?: Partial<Pick<BatcherOptions<unknown>, 'maxRecords' | 'maxBytes' | 'lingerMs' | 'maxAttempts' | 'backoffMs' | 'maxQueued'>>;
  onForwarded?: (records: number) => void;
  onRuleError?: (record: RuleErrorRecord) => void;
  /** Internal problems (e.g. the error log cannot be written): reported, never thrown into the broker. */
  onInternalError?: (error: Error) => void;
}

export interface RulesStats {
  matched: number;
  filtered: number;
  forwarded: number;
  failed: number;
  evaluationErrors: number;
  queued: number;
  /** PutRecords calls made (retries included): forwarded / putRecordsCalls is the mean batch size. */
  putRecordsCalls: number;
  errorRecordsWritten: number;
}

/**
 * Called once the rule's outcome for a message is durable: its record is in the stream, or the message
 * is in the error action's log (or the rule filtered it out). An error means neither: do not acknowledge.
 */
export type OnStored = (error?: Error) => void;

interface OutgoingRecord {
  data: Buffer;
  partitionKey: string;
  message: { topic: string; clientId: string; payload: Buffer };
  onStored: OnStored | undefined;
}

/** The rule compiled, or a RuleStartupError that names the rule and says what to change. */
export function compileRuleOrExplain(ruleName: string, sql: string): CompiledRule {
  try {
    return compileRule(sql);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RuleStartupError(
      `rule ${ruleName} cannot run locally: ${reason}. The local rules engine supports the AWS IoT SQL subset ` +
      'of cloud/ingest/iot-sql; change the rule SQL or extend the evaluator.', { cause: error },
    );
  }
}

async function putRecords(client: KinesisClient, streamName: string, records: readonly OutgoingRecord[]): Promise<Array<string | undefined>> {
  const response = await client.send(new PutRecordsCommand({
    StreamName: streamName,
    Records: records.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey })),
  }));
  const entries = response.Records ?? [];
  return records.map((_, i) => {
    const entry = entries[i];
    if (entry === undefined) return 'PutRecords returned no result for this record';
    return entry.ErrorCode ? `${entry.ErrorCode}: ${entry.ErrorMessage ?? ''}`.trim() : undefined;
  });
}

export class RulesEngine {
  readonly ruleName: string;
  readonly #rule: CompiledRule;
  readonly #template: string;
  readonly #batcher: PutRecordsBatcher<OutgoingRecord> | undefined;
  readonly #errors: RuleErrorLog | undefined;
  readonly #now: () => number;
  readonly #stats = { matched: 0, filtered: 0, forwarded: 0, failed: 0, evaluationErrors: 0 };
  /** Error records when no errorsDir is configured (bounded; the event carries every one). */
  readonly recentErrors: RuleErrorRecord[] = [];

  constructor(private readonly options: RulesEngineOptions = {}) {
    this.ruleName = options.ruleName ?? VITALS_RULE_NAME;
    this.#rule = compileRuleOrExplain(this.ruleName, options.sql ?? VITALS_RULE_SQL);
    this.#template = options.partitionKeyTemplate ?? VITALS_PARTITION_KEY;
    this.#now = options.now ?? Date.now;
    this.#errors = options.errorsDir === undefined ? undefined : new RuleErrorLog(options.errorsDir, this.#now);
    const kinesis = options.kinesis;
    if (kinesis) {
      this.#batcher = new PutRecordsBatcher<OutgoingRecord>({
        ...options.batching,
        send: (records) => putRecords(kinesis.client, kinesis.streamName, records),
        sizeOf: (r) => r.data.length + Buffer.byteLength(r.partitionKey),
        onDelivered: (records) => {
          this.#stats.forwarded += records.length;
          options.onForwarded?.(records.length);
          for (const record of records) record.onStored?.();
        },
        onFailed: (record, errorMessage) => {
          this.#stats.failed++;
          this.#recordError(record.message, { failedAction: 'KinesisAction', failedResource: kinesis.streamName, errorMessage }, record.onStored);
        },
      });
    }
  }

  get topicFilter(): string {
    return this.#rule.topicFilter;
  }

  /** True when the rule's topic filter matches: only such publishes wait for the rule before their PUBACK. */
  matches(topic: string): boolean {
    return this.#rule.matches(topic);
  }

  /**
   * Runs the rule on one authorised publish. Never throws. `onStored` runs once the outcome is durable
   * (record in the stream, or message in the error log), with an error if it could not be made durable.
   */
  handlePublish(topic: string, payload: Buffer, clientId: string, onStored?: OnStored): void {
    if (!this.#rule.matches(topic)) {
      onStored?.();
      return;
    }
    this.#stats.matched++;
    const context: RuleContext = { topic, payload, clientId, timestampMs: this.#now() };
    const message = { topic, clientId, payload };
    let result: Record<string, unknown> | undefined;
    let partitionKey: string;
    try {
      result = this.#rule.evaluate(context);
      partitionKey = substituteTemplate(this.#template, context);
    } catch (error) {
      this.#stats.evaluationErrors++;
      this.#recordError(message, {
        failedAction: 'SqlEvaluation', failedResource: this.ruleName,
        errorMessage: error instanceof Error ? error.message : String(error),
      }, onStored);
      return;
    }
    if (result === undefined) {
      this.#stats.filtered++;
      onStored?.();
      return;
    }
    const record: OutgoingRecord = { data: Buffer.from(JSON.stringify(result)), partitionKey, message, onStored };
    if (this.#batcher) {
      this.#batcher.add(record);
    } else {
      this.#stats.forwarded++;
      this.options.onForwarded?.(1);
      onStored?.();
    }
  }

  stats(): RulesStats {
    return {
      ...this.#stats,
      queued: this.#batcher?.stats().queued ?? 0,
      putRecordsCalls: this.#batcher?.stats().batchesSent ?? 0,
      errorRecordsWritten: this.#errors?.written ?? 0,
    };
  }

  /** Delivers everything queued (or hands it to the error action) and waits for the error log. */
  async close(): Promise<void> {
    await this.#batcher?.flush();
    await this.#errors?.idle();
  }

  #recordError(message: OutgoingRecord['message'], failure: RuleFailure, onStored?: OnStored): void {
    const record = ruleErrorRecord(this.ruleName, message, failure);
    if (this.#errors) {
      this.#errors.append(record, (error) => {
        this.options.onInternalError?.(error);
        onStored?.(error);
      }, () => onStored?.());
    } else {
      // Kept in memory only (no errorsDir): nothing durable holds it, so the publisher must resend it.
      this.recentErrors.push(record);
      if (this.recentErrors.length > 1000) this.recentErrors.shift();
      onStored?.(new Error(`rule ${this.ruleName} could not deliver the message and has no error log: ${failure.errorMessage}`));
    }
    this.options.onRuleError?.(record);
  }
}
