// Writes docs/results/README.md from the committed reports (docs/results/<preset>/metrics.json):
// per run a table of chosen epochs, then the paper's three claims checked against the numbers.
// `npx tsx tools/experiments/results-readme.ts [docs/results]`. Only numbers from the reports are used.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

type Row = Record<string, number | null> & { epoch: number };
interface Metrics { run_id: string; state: string; software?: { version: string; commit?: string }; config: { preset: string; dataset: string; epochs: number; model: { architecture: string } }; epochs: Row[] }

const SERIES = [['ensemble', 'pixel'], ['ensemble', 'feature'], ['packet', 'pixel'], ['packet', 'feature']] as const;
const TABLE_EPOCHS = [0, 1, 5, 10, 25, 50];

const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));
const pm = (row: Row, key: string, digits = 3) => (row[key] === null || row[key] === undefined ? 'missing' : `${num(row[key], digits)} ± ${num(row[`${key}_se`], digits)}`);
/** Significant digits for a column of small numbers. */
const sig = (v: number | null | undefined) => (v === null || v === undefined ? 3 : Math.max(3, 1 - Math.floor(Math.log10(Math.abs(v) || 1))));

function table(m: Metrics): string {
  const rows = m.epochs.filter((r) => TABLE_EPOCHS.includes(r.epoch));
  const head = ['epoch', 'test acc', 'robust pixel', 'robust feature',
    ...SERIES.flatMap(([e, s]) => (e === 'ensemble' ? [`${e} ${s} Δx`, `${e} ${s} Δp`, `${e} ${s} Δx·Δp`] : [`${e} ${s} Δx·Δp`, `${e} ${s} shift`]))];
  const lines = rows.map((r) => [
    String(r.epoch), num(r.test_accuracy), num(r.robust_pixel_accuracy), num(r.robust_feature_accuracy),
    ...SERIES.flatMap(([e, s]) => {
      const k = `${e}_${s}`;
      return e === 'ensemble'
        ? [pm(r, `${k}_dx`, sig(r[`${k}_dx_se`])), pm(r, `${k}_dp`, sig(r[`${k}_dp_se`])), pm(r, `${k}_product`, sig(r[`${k}_product_se`]))]
        : [pm(r, `${k}_product`, 4), pm(r, `${k}_shift`, 2)];
    }),
  ]);
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...lines.map((l) => `| ${l.join(' | ')} |`)].join('\n');
}

/** Claim (i): from epoch 1 to the last, test accuracy and Δp rise while Δx falls — per estimator and space. */
function tradeOff(m: Metrics): string[] {
  const first = m.epochs.find((r) => r.epoch === 1)!;
  const last = m.epochs[m.epochs.length - 1];
  const out = [`test accuracy ${num(first.test_accuracy)} → ${num(last.test_accuracy)} (epoch 1 → ${last.epoch})`];
  for (const [e, s] of SERIES) {
    const k = `${e}_${s}`;
    const change = (q: string) => {
      const a = first[`${k}_${q}`];
      const b = last[`${k}_${q}`];
      if (a === null || b === null || a === undefined || b === undefined) return { text: 'missing', sign: 0 };
      const se = Math.hypot(first[`${k}_${q}_se`] ?? 0, last[`${k}_${q}_se`] ?? 0);
      const sign = Math.abs(b - a) <= 2 * se ? 0 : Math.sign(b - a);
      return { text: `${num(a, sig(a))} → ${num(b, sig(b))} (${sign > 0 ? 'rises' : sign < 0 ? 'falls' : 'no change beyond 2 SE'})`, sign };
    };
    const dx = change('dx');
    const dp = change('dp');
    const holds = dp.sign > 0 && dx.sign < 0 ? 'holds' : dp.sign > 0 ? 'half: Δp rises, Δx does not fall' : 'does not hold';
    out.push(`${e}, ${s}: Δx ${dx.text}; Δp ${dp.text} — **${holds}**`);
  }
  return out;
}

/** Claim (ii): Δx·Δp ≥ ½ — the smallest mean product over the epochs, per estimator and space. */
function bound(m: Metrics): string[] {
  return SERIES.map(([e, s]) => {
    const k = `${e}_${s}_product`;
    const measured = m.epochs.filter((r) => r[k] !== null && r[k] !== undefined);
    if (measured.length === 0) return `${e}, ${s}: not measured`;
    const low = measured.reduce((a, r) => (r[k]! < a[k]! ? r : a));
    const high = measured.reduce((a, r) => (r[k]! > a[k]! ? r : a));
    const below = measured.filter((r) => r[k]! < 0.5 - 3 * (r[`${k}_se`] ?? 0)).length;
    return `${e}, ${s}: mean product ${num(low[k], 4)} (epoch ${low.epoch}) to ${num(high[k], 4)} (epoch ${high.epoch}); ` +
      `${below} of ${measured.length} epochs below ½ by more than 3 SE — **${below === 0 ? 'holds' : 'does not hold'}**`;
  });
}

/** Claim (iii): feature-space PGD lowers accuracy more than pixel-space PGD with the same relative budget. */
function featureStronger(m: Metrics): string {
  const trained = m.epochs.filter((r) => r.epoch > 0 && r.robust_pixel_accuracy !== null && r.robust_feature_accuracy !== null);
  const stronger = trained.filter((r) => r.robust_feature_accuracy! < r.robust_pixel_accuracy!).length;
  const last = m.epochs[m.epochs.length - 1];
  return `feature-space robust accuracy below pixel-space at ${stronger} of ${trained.length} trained epochs (last epoch: feature ${num(last.robust_feature_accuracy)}, pixel ${num(last.robust_pixel_accuracy)}) — ` +
    `**${stronger === trained.length ? 'holds' : stronger > trained.length / 2 ? 'mostly holds' : 'does not hold'}**`;
}

function main(): void {
  const dir = resolve(process.argv[2] ?? 'docs/results');
  const runs = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'metrics.json')))
    .map((d) => ({ folder: d.name, metrics: JSON.parse(readFileSync(join(dir, d.name, 'metrics.json'), 'utf8')) as Metrics }));
  const sections = runs.map(({ folder, metrics: m }) => [
    `## ${folder}: ${m.config.model.architecture} on ${m.config.dataset}, ${m.config.epochs} epochs (${m.state.replace('RUN_STATE_', '').toLowerCase()})`,
    '',
    `Run ${m.run_id}, conjugate ${m.software?.version ?? '?'} at ${m.software?.commit?.slice(0, 10) ?? '?'}; the report with every figure is in [${folder}/](${folder}/) ` +
      `(Figure 1: [figure1.png](${folder}/figure1.png), Figure 2: [figure2-a.png](${folder}/figure2-a.png), [figure2-b.png](${folder}/figure2-b.png); every epoch in [metrics.csv](${folder}/metrics.csv)).`,
    '',
    table(m),
    '',
    '**(i) trade-off** — accuracy and Δp rise while Δx falls (epoch 1 → last, a change counts beyond 2 SE):',
    '',
    ...tradeOff(m).map((l) => `- ${l}`),
    '',
    '**(ii) uncertainty relation** Δx·Δp ≥ ½:',
    '',
    ...bound(m).map((l) => `- ${l}`),
    '',
    `**(iii) feature-space attacks hurt more**: ${featureStronger(m)}`,
    '',
  ].join('\n'));
  const generated = ['<!-- generated by tools/experiments/results-readme.ts from the metrics.json files; the text above this line is written by hand -->', '', ...sections].join('\n');
  const readme = join(dir, 'README.md');
  const marker = '<!-- generated by';
  const kept = existsSync(readme) ? readFileSync(readme, 'utf8').split(marker)[0] : '# Results\n\n';
  writeFileSync(readme, kept + generated);
  console.log(`wrote ${readme} (${runs.map((r) => r.folder).join(', ')})`);
}

main();
