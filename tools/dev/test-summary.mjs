// Sums the per-project counts written by jest-count-reporter.cjs into the plain closing line CI reads.
import { readFileSync } from 'node:fs';

const totals = { passed: 0, failed: 0, skipped: 0 };
for (const line of readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean)) {
  const counts = JSON.parse(line);
  for (const key of Object.keys(totals)) totals[key] += counts[key];
}
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
