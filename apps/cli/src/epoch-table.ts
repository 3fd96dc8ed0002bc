import Table from 'cli-table3';
import type { EpochRow } from '@conjugate/report';
import { fixed } from './output';

/** Columns of the per-epoch table `watch` prints (one row as each epoch finishes). */
const COLUMNS: Array<[string, (row: EpochRow) => string, number]> = [
  ['epoch', (r) => String(r.epoch), 7],
  ['train loss', (r) => fixed(r.values.train_loss), 12],
  ['test acc', (r) => fixed(r.values.test_accuracy), 10],
  ['robust px', (r) => fixed(r.values.robust_pixel_accuracy), 11],
  ['robust ft', (r) => fixed(r.values.robust_feature_accuracy), 11],
  ['ens Δx·Δp px', (r) => productCell(r, 'ensemble_pixel'), 14],
  ['ens Δx·Δp ft', (r) => productCell(r, 'ensemble_feature'), 14],
  ['pkt Δx·Δp px', (r) => productCell(r, 'packet_pixel'), 14],
  ['pkt Δx·Δp ft', (r) => productCell(r, 'packet_feature'), 14],
  ['train s', (r) => fixed(r.values.train_seconds, 1), 9],
  ['eval s', (r) => fixed(r.values.evaluation_seconds, 1), 9],
];

const productCell = (row: EpochRow, key: string) => {
  const value = row.values[`${key}_product`];
  return value === null ? 'missing' : `${fixed(value)}±${fixed(row.values[`${key}_product_se`])}`;
};

function table(withHeader: boolean): Table.Table {
  return new Table({
    head: withHeader ? COLUMNS.map(([name]) => name) : [],
    colWidths: COLUMNS.map(([, , width]) => width),
    style: { head: [], border: [], compact: true },
  });
}

/** One epoch as a table row; the header too when it is the first. */
export function epochTableRow(row: EpochRow, withHeader: boolean): string {
  const t = table(withHeader);
  t.push(COLUMNS.map(([, cell]) => cell(row)));
  return t.toString();
}

/** Every epoch in one table, then one line per missing measurement with its reason. */
export function epochTable(rows: EpochRow[]): string {
  const t = table(true);
  for (const row of rows) t.push(COLUMNS.map(([, cell]) => cell(row)));
  const notes = rows.flatMap((r) => Object.entries(r.missing).map(([what, why]) => `  epoch ${r.epoch} ${what}: ${why}`));
  return [t.toString(), ...(notes.length ? ['missing:', ...notes] : [])].join('\n');
}
