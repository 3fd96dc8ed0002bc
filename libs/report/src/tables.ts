import { RunConfig, runStateToJSON, type Run } from '@conjugate/proto';
import { COLUMNS, epochRows } from './epoch-rows';

const csvCell = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** metrics.csv: one row per epoch, empty cells where a measurement is missing, and a column saying why. */
export function metricsCsv(run: Run): string {
  const header = [...COLUMNS, 'missing'].join(',');
  const lines = epochRows(run).map((row) => [
    ...COLUMNS.map((c) => (row.values[c] === null ? '' : String(row.values[c]))),
    csvCell(Object.entries(row.missing).map(([k, why]) => `${k}: ${why}`).join('; ')),
  ].join(','));
  return [header, ...lines].join('\n') + '\n';
}

/** metrics.json: the run's identity and config, and the same rows as the CSV (numbers or null, reasons). */
export function metricsJson(run: Run): string {
  return JSON.stringify({
    run_id: run.id,
    state: runStateToJSON(run.state),
    reason: run.reason || undefined,
    config: run.config ? RunConfig.toJSON(run.config) : undefined,
    epochs: epochRows(run).map((row) => ({ ...row.values, missing: row.missing })),
  }, null, 2) + '\n';
}
