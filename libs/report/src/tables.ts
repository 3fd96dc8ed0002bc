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

/** Which conjugate produced a report: its version and, where known, the git commit. */
export interface SoftwareVersion { version: string; commit?: string }

/** metrics.json: the run's identity and config, the software, and the same rows as the CSV (numbers or null, reasons). */
export function metricsJson(run: Run, software?: SoftwareVersion): string {
  return JSON.stringify({
    run_id: run.id,
    software,
    state: runStateToJSON(run.state),
    reason: run.reason || undefined,
    config: run.config ? RunConfig.toJSON(run.config) : undefined,
    epochs: epochRows(run).map((row) => ({ ...row.values, missing: row.missing })),
  }, null, 2) + '\n';
}
