import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { annotatedFields, type ContractFieldLimits } from './contract-limits';
import { findProtoDir } from './protoDir';

// The (conjugate.v1.limits) options of proto/ as a whole: well-formed, each checked against the TypeScript
// constant that enforces it by the test of the code that owns the message, and covering docs/limits.md.
// The owners' tests compare every annotated field of their messages exactly (contractLimits([...])).

const repo = dirname(findProtoDir());
const fields = annotatedFields();

/** Which test compares a message's annotated fields with the constants that enforce them. */
const OWNERS: Record<string, string> = {
  AttackSpec: 'apps/attack-service/src/contract-limits.test.ts',
  EvaluateRobustnessRequest: 'apps/attack-service/src/contract-limits.test.ts',
  LayersTopology: 'apps/attack-service/src/contract-limits.test.ts',
  SpaceScale: 'apps/attack-service/src/contract-limits.test.ts',
  ModelSpec: 'libs/clients/src/model-source-limits.test.ts',
  Model: 'libs/clients/src/model-source-limits.test.ts',
  ModelRef: 'libs/clients/src/model-source-limits.test.ts',
  DescribeDatasetRequest: 'apps/data-service/src/contract-limits.test.ts',
  StreamBatchesRequest: 'apps/data-service/src/contract-limits.test.ts',
  EstimatorSpec: 'apps/uncertainty-service/src/contract-limits.test.ts',
  'PointSelection.DatasetPoints': 'apps/uncertainty-service/src/contract-limits.test.ts',
  PacketStatistics: 'apps/uncertainty-service/src/contract-limits.test.ts',
  MergePacketRequest: 'apps/uncertainty-service/src/contract-limits.test.ts',
  RunConfig: 'apps/training-service/src/contract-limits.test.ts',
  EvaluationConfig: 'apps/training-service/src/contract-limits.test.ts',
  AdversarialTraining: 'apps/training-service/src/contract-limits.test.ts',
};

const KNOWN = new Set<keyof ContractFieldLimits>(['min', 'max', 'finite', 'max_length', 'max_items', 'exclusive_min', 'max_bytes']);
const NUMBER_TYPES = new Set(['double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64']);

describe('(conjugate.v1.limits) in proto/', () => {
  it('annotates the request fields', () => {
    expect(fields.length).toBeGreaterThan(40);
    expect(fields.map((f) => f.key)).toContain('EstimatorSpec.num_samples');
  });

  it.each(fields.map((f) => [f.key, f] as const))('%s: every rule fits the field type', (_key, { field, limits }) => {
    for (const rule of Object.keys(limits)) expect(KNOWN).toContain(rule);
    const numeric = NUMBER_TYPES.has(field.type);
    if (limits.min !== undefined || limits.max !== undefined || limits.exclusive_min) expect(numeric).toBe(true);
    if (limits.exclusive_min) expect(limits.min).toBeDefined();
    if (limits.min !== undefined && limits.max !== undefined) expect(limits.min).toBeLessThan(limits.max);
    if (limits.finite) expect(['float', 'double']).toContain(field.type);
    if (limits.max_length !== undefined || limits.max_bytes !== undefined) expect(field.type).toBe('string');
    for (const count of [limits.max_length, limits.max_bytes, limits.max_items]) if (count !== undefined) expect(Number.isInteger(count) && count > 0).toBe(true);
    if (limits.max_items !== undefined) expect(field.repeated).toBe(true);
  });

  it.each(fields.map((f) => [f.key, f.message] as const))('%s is compared with its TypeScript constant by its owner test', (key, message) => {
    const owner = OWNERS[message];
    expect(owner).toBeDefined();
    const path = join(repo, owner!);
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path, 'utf8')).toContain(`'${key}'`);
  });

  it('covers every field named in the tables of docs/limits.md', () => {
    // Each "## … (file.proto)" section's table names fields in backticks in its first column; each must
    // be an annotated field of a message in that file, unless its limit is not one constant (listed here).
    const notConstant: Record<string, string[]> = {
      'data.proto': ['offset', 'limit', 'indices'], // within the split: depends on the dataset
    };
    const doc = readFileSync(join(repo, 'docs/limits.md'), 'utf8');
    const sections = [...doc.matchAll(/^## .*\((\w+\.proto)[^)]*\)\n([\s\S]*?)(?=^## |$(?![\s\S]))/gm)];
    expect(sections.map((s) => s[1])).toEqual(['attack.proto', 'model.proto', 'uncertainty.proto', 'training.proto', 'data.proto']);
    const missing: string[] = [];
    let named = 0;
    for (const [, file, body] of sections) {
      const annotated = new Set(fields.filter((f) => f.field.filename?.endsWith(`conjugate/v1/${file}`)).map((f) => f.field.name));
      for (const row of body!.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| field') && !line.startsWith('|---'))) {
        const firstColumn = row.split('|')[1]!;
        for (const [, name] of firstColumn.matchAll(/`(\w+)(?:\[i\])?`/g)) {
          named++;
          if (!annotated.has(name!) && !notConstant[file!]?.includes(name!)) missing.push(`${file}: ${name}`);
        }
      }
    }
    expect(named).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });
});
