/** Errors of the compaction step: what happened, and that the small files stay (nothing is deleted). */
import { EtlError } from '../errors.ts';

export class CompactionError extends EtlError {
  override name = 'CompactionError';
}
