/**
 * The bed page's charts, from the measurement registry: one chart per `chart.id`, its measurements as
 * series in registry order, then the NEWS2 score. A measurement added to the registry is charted with
 * no change to the page.
 */
import { MEASUREMENT_FIELDS, MEASUREMENTS } from '../../../device/contract/measurements.ts';

export interface BedChart {
  id: string;
  title: string;
  /** Unit suffix of legend values, e.g. " bpm". */
  unit: string;
  digits: number;
  /** Drawn as steps (a score), not lines. */
  stepped: boolean;
  series: { key: string; label: string; stroke: string }[];
}

export function bedCharts(): BedChart[] {
  const charts = new Map<string, BedChart>();
  for (const field of MEASUREMENT_FIELDS) {
    const { chart, unit, decimals } = MEASUREMENTS[field];
    let entry = charts.get(chart.id);
    if (!entry) {
      entry = { id: chart.id, title: chart.title, unit: ` ${unit}`, digits: decimals, stepped: false, series: [] };
      charts.set(chart.id, entry);
    }
    entry.series.push({ key: field, label: chart.series, stroke: chart.stroke });
  }
  return [...charts.values(), {
    id: 'news2', title: 'NEWS2 score', unit: '', digits: 0, stepped: true, series: [{ key: 'news2', label: 'NEWS2', stroke: '#212b32' }],
  }];
}
