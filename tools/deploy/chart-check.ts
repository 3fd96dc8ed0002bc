// Offline checks of deploy/helm/conjugate: values.schema.json against the default values and the example
// overrides in ci/ (good-*.yaml must pass, bad-*.yaml must fail), then a real `helm lint --strict` and
// `helm template` of each, every rendered object validated against the Kubernetes OpenAPI schemas
// (npm kubernetes-models). Usage: tsx tools/deploy/chart-check.ts <path of a helm 3 binary>
import Ajv from 'ajv';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { findUnknownFields, modelModule, type LabelledObject } from './kubernetes-unknown-fields';

const chartDir = resolve(__dirname, '../../deploy/helm/conjugate');
const examplesDir = join(chartDir, 'ci');
const kubeVersion = '1.29.0';

type Values = Record<string, unknown>;
const isMap = (value: unknown): value is Values => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Helm's coalescing of an override onto the defaults: maps merge, everything else replaces, null deletes. */
function mergeValues(base: Values, override: Values): Values {
  const merged: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete merged[key];
    else if (isMap(value) && isMap(merged[key])) merged[key] = mergeValues(merged[key] as Values, value);
    else merged[key] = value;
  }
  return merged;
}

/**
 * A copy of the chart without its `dependencies` (the official NATS chart cannot be fetched offline, and
 * helm template refuses a chart whose dependencies are missing). Everything of ours renders unchanged.
 */
function chartWithoutDependencies(): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'conjugate-chart-'));
  const dir = join(root, 'conjugate');
  cpSync(chartDir, dir, { recursive: true });
  const chart = parse(readFileSync(join(dir, 'Chart.yaml'), 'utf8')) as Values;
  delete chart.dependencies;
  writeFileSync(join(dir, 'Chart.yaml'), stringify(chart));
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

function helm(binary: string, args: string[]): { ok: boolean; output: string } {
  try {
    return { ok: true, output: execFileSync(binary, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

interface KubernetesModel {
  new (data: unknown): { validate(): void };
}

/** Validates one rendered object with the kubernetes-models class for its apiVersion and kind. */
function validateObject(object: Values): string | undefined {
  const apiVersion = String(object.apiVersion ?? '');
  const kind = String(object.kind ?? '');
  let Model: KubernetesModel;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Model = require(modelModule(apiVersion, kind))[kind];
  } catch {
    return `${kind || '(no kind)'} ${apiVersion || '(no apiVersion)'}: not a known Kubernetes type`;
  }
  try {
    new Model(object).validate();
    return undefined;
  } catch (error) {
    return `${kind} ${(object.metadata as Values | undefined)?.name}: ${(error as Error).message}`;
  }
}

function main(): void {
  const helmBinary = process.argv[2];
  if (!helmBinary) throw new Error('usage: tsx tools/deploy/chart-check.ts <helm binary>');
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validateValues = ajv.compile(JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')));
  const defaults = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Values;
  const examples = readdirSync(examplesDir).filter((name) => name.endsWith('.yaml')).sort();
  const cases = [{ name: 'values.yaml (defaults)', file: undefined as string | undefined, good: true, schemaRejects: false }].concat(
    examples.map((name) => ({
      name,
      file: join(examplesDir, name),
      good: name.startsWith('good-'),
      // bad-template-* break a rule the schema cannot express (comparing two fields); the templates reject them.
      schemaRejects: name.startsWith('bad-') && !name.startsWith('bad-template-'),
    })),
  );
  const chart = chartWithoutDependencies();
  const problems: string[] = [];
  const rendered: LabelledObject[] = [];
  try {
    const lintDefault = helm(helmBinary, ['lint', '--strict', '--kube-version', kubeVersion, chart.dir]);
    if (!lintDefault.ok) problems.push(`helm lint --strict (defaults) failed:\n${lintDefault.output}`);
    for (const example of cases) {
      const override = example.file ? ((parse(readFileSync(example.file, 'utf8')) ?? {}) as Values) : {};
      const schemaOk = validateValues(mergeValues(defaults, override));
      const schemaErrors = ajv.errorsText(validateValues.errors);
      if (schemaOk === example.schemaRejects) {
        problems.push(`${example.name}: schema ${schemaOk ? 'accepted' : `rejected (${schemaErrors})`}, expected the opposite`);
      }
      const valuesArgs = example.file ? ['-f', example.file] : [];
      const output = helm(helmBinary, ['template', 'demo', chart.dir, '--kube-version', kubeVersion, ...valuesArgs]);
      if (!example.good) {
        // Each bad file names on its first line (`# expect: a & b`) what helm's error must mention: a value
        // path (Helm 3 writes services.attackService.port, Helm 4 /services/attackService/port) or a word.
        const expected = (/^# expect: (.+)$/m.exec(readFileSync(example.file ?? '', 'utf8'))?.[1] ?? '').split(' & ').filter(Boolean);
        const mentions = (token: string) => output.output.includes(token) || output.output.includes(`/${token.replace(/\./g, '/')}`);
        if (output.ok) problems.push(`${example.name}: helm template accepted values it must reject`);
        else if (expected.length === 0 || !expected.every(mentions)) {
          problems.push(`${example.name}: rejected, but the error does not mention ${expected.join(' and ') || '(no # expect: line)'}:\n${output.output}`);
        } else {
          const line = output.output.split('\n').find((text) => mentions(expected[0]) && (text.includes(expected[0]) || text.includes(`/${expected[0].replace(/\./g, '/')}`)));
          console.log(`rejected as expected: ${example.name}: ${line?.trim()}`);
        }
        continue;
      }
      const lint = helm(helmBinary, ['lint', '--strict', '--kube-version', kubeVersion, chart.dir, ...valuesArgs]);
      if (!lint.ok) problems.push(`${example.name}: helm lint --strict failed:\n${lint.output}`);
      if (!output.ok) {
        problems.push(`${example.name}: helm template failed:\n${output.output}`);
        continue;
      }
      const documents = parseAllDocuments(output.output).map((document) => document.toJS() as Values | null).filter(isMap);
      for (const object of documents) {
        const problem = validateObject(object);
        if (problem) problems.push(`${example.name}: ${problem}`);
      }
      for (const object of documents) {
        rendered.push({ label: `${example.name}: ${object.kind} ${(object.metadata as Values | undefined)?.name}`, object });
      }
      const kinds = documents.map((object) => String(object.kind)).sort();
      console.log(`rendered and validated: ${example.name}: ${documents.length} objects (${[...new Set(kinds)].join(', ')})`);
    }
    problems.push(...findUnknownFields(rendered));
  } finally {
    chart.cleanup();
  }
  if (problems.length > 0) {
    console.error(`chart check FAILED:\n- ${problems.join('\n- ')}`);
    process.exit(1);
  }
  console.log(`chart check passed: ${cases.length} value files, ${rendered.length} Kubernetes objects validated against the API schemas (types, required fields, no unknown fields)`);
}

main();
