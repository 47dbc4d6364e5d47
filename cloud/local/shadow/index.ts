/**
 * The device shadow service wired to a broker: takes requests published on
 * `$aws/things/<thing>/shadow/get|update|delete`, runs the pure state machine, persists, and publishes
 * the replies on the AWS response topics. Requests for one thing are handled strictly in order.
 */
import { parseShadowTopic, shadowTopic } from '../../../device/contract/index.ts';
import { handleShadowRequest, type ShadowDocument, type ShadowReply, type ShadowRequestKind } from './shadow-service.ts';
import { ShadowStore } from './shadow-store.ts';

export { SHADOW_LIMITS, handleShadowRequest, type ShadowDocument, type ShadowRecord, type ShadowReply } from './shadow-service.ts';
export { ShadowStore, ShadowStoreError } from './shadow-store.ts';

export interface ShadowChange {
  thing: string;
  kind: ShadowRequestKind;
  /** The document after the change; undefined after a delete. */
  document: ShadowDocument | undefined;
  replies: ShadowReply[];
}

export interface ShadowServiceOptions {
  dir?: string;
  publish(topic: string, payload: Buffer): Promise<void>;
  now?: () => number;
  onChange?: (change: ShadowChange) => void;
  onError?: (error: Error) => void;
}

const REQUEST_KINDS = new Set<string>(['get', 'update', 'delete']);

export class ShadowService {
  readonly store: ShadowStore;
  readonly #queues = new Map<string, Promise<void>>();
  readonly #now: () => number;

  constructor(private readonly options: ShadowServiceOptions) {
    this.store = new ShadowStore(options.dir);
    this.#now = options.now ?? Date.now;
  }

  /**
   * True when `topic` is a shadow request (then it is queued for handling); false otherwise. The broker
   * calls it for authorised device publishes; in-process callers (the dashboard, tests) call it the way
   * an application calls UpdateThingShadow on AWS, and the replies still go out over MQTT.
   */
  accept(topic: string, payload: Buffer): boolean {
    const parsed = parseShadowTopic(topic);
    if (!parsed || !REQUEST_KINDS.has(parsed.suffix)) return false;
    const { thing } = parsed;
    const kind = parsed.suffix as ShadowRequestKind;
    const previous = this.#queues.get(thing) ?? Promise.resolve();
    const next = previous.then(() => this.#handle(thing, kind, payload)).catch((error: unknown) => {
      this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
    });
    this.#queues.set(thing, next);
    void next.finally(() => {
      if (this.#queues.get(thing) === next) this.#queues.delete(thing);
    });
    return true;
  }

  /** Resolves when every queued request has been handled (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.#queues.size > 0) await Promise.all(this.#queues.values());
  }

  async #handle(thing: string, kind: ShadowRequestKind, payload: Buffer): Promise<void> {
    const record = await this.store.load(thing);
    const outcome = handleShadowRequest(thing, kind, payload, record, this.#now());
    if (outcome.changed) await this.store.save(thing, outcome.record);
    for (const reply of outcome.replies) {
      await this.options.publish(shadowTopic(thing, reply.suffix), Buffer.from(JSON.stringify(reply.payload)));
    }
    if (outcome.changed) this.options.onChange?.({ thing, kind, document: outcome.record.document, replies: outcome.replies });
  }
}
