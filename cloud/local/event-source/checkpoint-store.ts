/**
 * Checkpoints on disk: the last fully processed sequence number per shard, one small JSON file each,
 * written atomically (temp file + rename) so a crash mid-write leaves the previous checkpoint intact.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError } from './types.ts';

interface CheckpointFile {
  shardId: string;
  sequenceNumber: string;
  updatedAt: string;
}

export class CheckpointStore {
  private readonly dir: string;

  constructor(checkpointDir: string, streamName: string, private readonly clock: () => number = Date.now) {
    this.dir = join(checkpointDir, encodeURIComponent(streamName));
  }

  private file(shardId: string): string {
    return join(this.dir, `${encodeURIComponent(shardId)}.json`);
  }

  /** The checkpointed sequence number, or undefined when the shard was never processed. */
  async read(shardId: string): Promise<string | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(shardId), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CheckpointError(`cannot read the checkpoint of ${shardId} in ${this.dir}`, { cause: error });
    }
    try {
      const parsed = JSON.parse(text) as Partial<CheckpointFile>;
      if (typeof parsed.sequenceNumber !== 'string' || !/^\d+$/.test(parsed.sequenceNumber)) throw new Error('no sequenceNumber');
      return parsed.sequenceNumber;
    } catch (error) {
      throw new CheckpointError(
        `the checkpoint ${this.file(shardId)} is corrupt; delete it to restart ${shardId} from TRIM_HORIZON (records will be re-delivered)`,
        { cause: error },
      );
    }
  }

  async write(shardId: string, sequenceNumber: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const target = this.file(shardId);
    const temp = `${target}.${process.pid}.tmp`;
    const body: CheckpointFile = { shardId, sequenceNumber, updatedAt: new Date(this.clock()).toISOString() };
    await writeFile(temp, JSON.stringify(body), 'utf8');
    await rename(temp, target);
  }
}
