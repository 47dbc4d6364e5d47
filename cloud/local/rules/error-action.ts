/**
 * The rule's error action: every message whose action failed (after retries) is appended as one JSON
 * line in AWS IoT's error-action payload shape ("Error action" page of the AWS IoT rules docs):
 * ruleName, topic, cloudwatchTraceId, clientId, base64OriginalPayload, failures[{failedAction,
 * failedResource, errorMessage}]. One file per rule and UTC day, so nothing is lost and files stay small.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

export interface RuleFailure {
  /** AWS's action names: `KinesisAction`; `SqlEvaluation` for a message the SQL could not evaluate. */
  failedAction: string;
  failedResource: string;
  errorMessage: string;
}

export interface RuleErrorRecord {
  ruleName: string;
  topic: string;
  cloudwatchTraceId: string;
  clientId: string;
  base64OriginalPayload: string;
  failures: RuleFailure[];
}

export function ruleErrorRecord(
  ruleName: string, message: { topic: string; clientId: string; payload: Buffer }, failure: RuleFailure,
): RuleErrorRecord {
  return {
    ruleName,
    topic: message.topic,
    cloudwatchTraceId: randomUUID(),
    clientId: message.clientId,
    base64OriginalPayload: message.payload.toString('base64'),
    failures: [failure],
  };
}

export class RuleErrorLog {
  #chain: Promise<void> = Promise.resolve();
  #written = 0;

  constructor(private readonly dir: string, private readonly now: () => number = Date.now) {}

  /**
   * Appends in call order; a write failure is reported to `onWriteError` and the chain carries on.
   * `onWritten` runs once the line is in the file (the broker acknowledges the message only then).
   */
  append(record: RuleErrorRecord, onWriteError: (error: Error) => void, onWritten?: () => void): void {
    const day = new Date(this.now()).toISOString().slice(0, 10);
    const file = join(this.dir, `${record.ruleName}-errors-${day}.jsonl`);
    this.#chain = this.#chain
      .then(async () => {
        await mkdir(this.dir, { recursive: true });
        await appendFile(file, `${JSON.stringify(record)}\n`);
        this.#written++;
        onWritten?.();
      })
      .catch((error: unknown) => onWriteError(new Error(`cannot append to ${file}`, { cause: error })));
  }

  get written(): number {
    return this.#written;
  }

  async idle(): Promise<void> {
    await this.#chain;
  }
}
