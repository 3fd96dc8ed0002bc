// The page: static HTML and CSS from src/page, and the TypeScript bundled by esbuild once per process.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

export interface PageAssets {
  html: string;
  css: string;
  favicon: string;
  script: string;
  sourceMap: string;
}

const PAGE_DIR = join(__dirname, 'page');
let cached: Promise<PageAssets> | undefined;

export function loadPageAssets(): Promise<PageAssets> {
  cached ??= bundle().catch((error: unknown) => {
    cached = undefined; // let a later start try again
    throw error;
  });
  return cached;
}

async function bundle(): Promise<PageAssets> {
  const [html, css, favicon, result] = await Promise.all([
    readFile(join(PAGE_DIR, 'index.html'), 'utf8'),
    readFile(join(PAGE_DIR, 'style.css'), 'utf8'),
    readFile(join(PAGE_DIR, 'favicon.svg'), 'utf8'),
    build({
      entryPoints: [join(PAGE_DIR, 'main.ts')],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      minify: true,
      sourcemap: 'external',
      outfile: 'app.js',
      write: false,
      logLevel: 'silent',
    }),
  ]);
  const output = (suffix: string) => result.outputFiles.find((file) => file.path.endsWith(suffix))?.text ?? '';
  return { html, css, favicon, script: output('app.js'), sourceMap: output('app.js.map') };
}
