/**
 * Readings as the export reads them from `vitals`, made the pipeline's way: a vitals/1 message through the
 * contract's validator and the ETL's curated row (NEWS2, pseudonym), times as the export's SQL formats them.
 */
import { encodeVitals, validatePayload, type VitalsV1 } from '../../../../device/contract/index.ts';
import { toCuratedRow } from '../../../../cloud/etl/curated-row.ts';
import { createPseudonymiser } from '../../../../cloud/etl/pseudonym.ts';
import type { VitalsRow } from '../../../../cloud/fhir/vitals-row.ts';

export const TEST_HMAC_KEY = 'fhir-test-hmac-key-0123456789abcdef';
const pseudonymise = createPseudonymiser(TEST_HMAC_KEY);

/** The row of a message, or an error naming why the contract refused it. */
export function vitalsRowOf(message: VitalsV1 | Record<string, unknown>, ingestedAt = Date.UTC(2026, 0, 1, 9)): VitalsRow {
  const result = validatePayload(Buffer.from(encodeVitals(message as VitalsV1)));
  if (!result.ok) throw new Error(`the contract refuses the message: ${JSON.stringify(result.reasons)}`);
  const row = toCuratedRow(result.reading, { shardId: 'shardId-0', sequenceNumber: '1', receivedAt: null, pseudonymise, ingestedAt });
  return { ...row, measured_at: new Date(row.measured_at).toISOString(), ingested_at: new Date(row.ingested_at).toISOString() };
}
