#!/usr/bin/env node
// Generates libs/proto/src/gen from proto/ with buf + ts-proto (offline: buf's binary ships in npm).
// `--check` generates into a temporary folder and fails if libs/proto/src/gen differs (CI uses it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const genDir = join(root, 'libs/proto/src/gen');
const check = process.argv.includes('--check');

function buf(outDir) {
  const template = readFileSync(join(root, 'buf.gen.yaml'), 'utf8').replace('out: libs/proto/src/gen', `out: ${outDir}`);
  execFileSync(join(root, 'node_modules/.bin/buf'), ['lint'], { cwd: root, stdio: 'inherit' });
  execFileSync(join(root, 'node_modules/.bin/buf'), ['generate', '--template', template], { cwd: root, stdio: 'inherit' });
}

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

if (!check) {
  rmSync(genDir, { recursive: true, force: true });
  buf(genDir);
  console.log(`generated ${files(genDir).length} files into ${relative(root, genDir)}`);
} else {
  const tmp = mkdtempSync(join(tmpdir(), 'conjugate-gen-'));
  try {
    buf(tmp);
    const want = files(tmp).map((f) => relative(tmp, f)).sort();
    const have = files(genDir).map((f) => relative(genDir, f)).sort();
    const stale = [...new Set([...want, ...have])].filter(
      (f) => !want.includes(f) || !have.includes(f) || readFileSync(join(tmp, f), 'utf8') !== readFileSync(join(genDir, f), 'utf8'),
    );
    if (stale.length) {
      console.error(`libs/proto/src/gen is out of date with proto/ (${stale.join(', ')}): run npm run gen`);
      process.exit(1);
    }
    console.log('libs/proto/src/gen is up to date');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
