import { describe, expect, it } from 'vitest';
import { MEASUREMENT_FIELDS } from '../../../../../device/contract/measurements.ts';
import { bedCharts } from '../../../../../cloud/local/dashboard/bed-charts.ts';

describe('bedCharts', () => {
  it('charts every registry measurement once, blood pressures together, NEWS2 last', () => {
    const charts = bedCharts();
    expect(charts.map((chart) => chart.id)).toEqual(['heart_rate', 'spo2', 'respiratory_rate', 'blood_pressure', 'temperature_c', 'news2']);
    expect(charts.flatMap((chart) => chart.series.map((series) => series.key)).sort()).toEqual([...MEASUREMENT_FIELDS, 'news2'].sort());
    expect(charts.find((chart) => chart.id === 'blood_pressure')).toMatchObject({
      title: 'Blood pressure (mmHg)', unit: ' mmHg', series: [{ key: 'systolic_bp' }, { key: 'diastolic_bp' }, { key: 'map_mmhg', label: 'Mean arterial' }],
    });
    expect(charts.find((chart) => chart.id === 'temperature_c')).toMatchObject({ unit: ' °C', digits: 1 });
    expect(charts.at(-1)).toMatchObject({ id: 'news2', stepped: true });
  });
});
