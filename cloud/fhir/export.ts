/**
 * The FHIR export over a lake: reads `vitals` one hour of measurement time at a time (bounded memory, and
 * each query prunes to its partition), maps each reading (observations.ts) and writes Bulk Data NDJSON.
 * Devices and Patients are written once each, however many readings refer to them.
 */
import type { Lake } from '../query/lake.ts';
import { NoReadingsError } from './errors.ts';
import { openNdjsonWriter } from './ndjson-writer.ts';
import { readingObservations } from './observations.ts';
import { monitorDevice, pseudonymousPatient } from './resources.ts';
import { RESOURCE_TYPES, type FhirResourceType } from './types.ts';
import { extentSql, rowsSql, toVitalsRow, type ExportWindow } from './vitals-row.ts';

const HOUR_MS = 3_600_000;

export interface ExportProgress {
  readonly readingsDone: number;
  readonly readingsTotal: number;
}

export interface ExportSummary {
  readonly readings: number;
  readonly resources: Readonly<Record<FhirResourceType, number>>;
  readonly files: Readonly<Record<FhirResourceType, string>>;
}

export interface ExportOptions {
  readonly lake: Pick<Lake, 'query'>;
  readonly window: ExportWindow;
  readonly outDir: string;
  /** Called after each hour of readings is written. */
  readonly onProgress?: (progress: ExportProgress) => void;
}

export function describeWindow({ fromMs, toMs, ward }: ExportWindow): string {
  return `${new Date(fromMs).toISOString()} to ${new Date(toMs).toISOString()}${ward === undefined ? '' : ` in ward ${ward}`}`;
}

/** The window's readings: how many, and the hour-aligned span they fall in. */
async function extent(lake: ExportOptions['lake'], window: ExportWindow): Promise<{ readings: number; firstMs: number; lastMs: number }> {
  const [row] = (await lake.query(extentSql(window))).rows;
  const [readings, firstMs, lastMs] = (row ?? [0, null, null]) as [number, number | null, number | null];
  return { readings, firstMs: firstMs ?? window.fromMs, lastMs: lastMs ?? window.fromMs };
}

/** Writes the window's readings as Patient.ndjson, Device.ndjson and Observation.ndjson under outDir. */
export async function exportFhir({ lake, window, outDir, onProgress }: ExportOptions): Promise<ExportSummary> {
  const { readings, firstMs, lastMs } = await extent(lake, window);
  if (readings === 0) throw new NoReadingsError(describeWindow(window));
  const writer = await openNdjsonWriter(outDir);
  const counts = Object.fromEntries(RESOURCE_TYPES.map((type) => [type, 0])) as Record<FhirResourceType, number>;
  const seenDevices = new Set<string>();
  const seenPatients = new Set<string>();
  let readingsDone = 0;
  try {
    for (let start = Math.max(window.fromMs, firstMs - (firstMs % HOUR_MS)); start <= lastMs; start += HOUR_MS) {
      const hour: ExportWindow = { ...window, fromMs: start, toMs: Math.min(start + HOUR_MS, window.toMs) };
      const { rows } = await lake.query(rowsSql(hour));
      for (const cells of rows) {
        const row = toVitalsRow(cells);
        if (!seenPatients.has(row.patient_key)) {
          seenPatients.add(row.patient_key);
          await writer.write(pseudonymousPatient(row.patient_key));
          counts.Patient++;
        }
        if (!seenDevices.has(row.device_id)) {
          seenDevices.add(row.device_id);
          await writer.write(monitorDevice(row.device_id));
          counts.Device++;
        }
        for (const observation of readingObservations(row)) {
          await writer.write(observation);
          counts.Observation++;
        }
      }
      readingsDone += rows.length;
      onProgress?.({ readingsDone, readingsTotal: readings });
    }
  } finally {
    await writer.close();
  }
  return { readings: readingsDone, resources: counts, files: writer.files };
}
