// `npm run bench -- <name> [args…]` runs tools/bench/<name>.ts, which prints `name: value unit` lines.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const name = process.argv[2];
const available = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && f !== 'main.ts').map((f) => f.replace(/\.ts$/, ''));
if (!name || !existsSync(join(__dirname, `${name}.ts`))) {
  console.error(`usage: npm run bench -- <name>; benchmarks: ${available.join(', ')}`);
  process.exit(2);
}
process.argv.splice(2, 1);
// eslint-disable-next-line @typescript-eslint/no-require-imports
require(`./${name}.ts`);
