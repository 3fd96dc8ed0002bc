import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DType } from '@conjugate/proto';
import { CliError } from './cli-error';
import { readModelFile, writeModelFile } from './model-file';

const FIXTURE = join(__dirname, '../../../examples/python/fixtures/small-cnn/model.json');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'conjugate-model-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const topology = { class_name: 'Sequential', config: { layers: [] } };
const spec = (name: string, shape: number[]) => ({ name, shape, dtype: 'float32' });

it('reads model.json and its shards into an inline "layers" Model, each weight its float32 bytes', () => {
  const values = new Float32Array([1, 2, 3, 4, 5, 6, -7]);
  const path = writeModelFile(dir, { modelTopology: topology, weightSpecs: [spec('d/kernel', [3, 2]), spec('d/bias', [1])], weightData: values.buffer });
  const model = readModelFile(path, { featureLayer: 'flat', inputMin: -1, inputMax: 1 });
  expect(model.spec).toMatchObject({ architecture: 'layers', featureLayer: 'flat', layers: { inputMin: -1, inputMax: 1 } });
  expect(JSON.parse(model.spec!.layers!.modelTopologyJson)).toEqual(topology);
  expect(model.weights.map((w) => [w.name, w.tensor!.shape, w.tensor!.dtype])).toEqual([['d/kernel', [3, 2], DType.DTYPE_FLOAT32], ['d/bias', [1], DType.DTYPE_FLOAT32]]);
  expect(new Float32Array(new Uint8Array(model.weights[1].tensor!.data).buffer)).toEqual(new Float32Array([-7]));
});

it('reads the committed fixture (a small CNN saved by tfjs-layers)', () => {
  const model = readModelFile(FIXTURE);
  expect(model.weights.map((w) => w.name)).toEqual(['conv2d/kernel', 'conv2d/bias', 'conv2d_1/kernel', 'conv2d_1/bias', 'dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias']);
});

describe('a bad model file is a usage error naming the file and what is wrong', () => {
  const write = (json: unknown, shard?: Buffer) => {
    writeFileSync(join(dir, 'model.json'), typeof json === 'string' ? json : JSON.stringify(json));
    if (shard) writeFileSync(join(dir, 'weights.bin'), shard);
    return join(dir, 'model.json');
  };
  const manifest = (weights: unknown[], paths: unknown[] = ['weights.bin']) => ({ modelTopology: topology, weightsManifest: [{ paths, weights }] });
  it.each([
    ['a missing file', () => join(dir, 'nope.json'), /cannot read it as JSON/],
    ['not JSON', () => write('{'), /cannot read it as JSON/],
    ['a graph model', () => write({ format: 'graph-model', modelTopology: null }), /has no "modelTopology"/],
    ['a missing shard', () => write(manifest([spec('w', [1])])), /cannot read weight shard/],
    ['a shard outside the model directory', () => write(manifest([spec('w', [1])], ['../../etc/passwd'])), /must be a relative path beside model.json/],
    ['short shards', () => write(manifest([spec('w', [4])]), Buffer.alloc(8)), /end before weight "w"/],
    ['long shards', () => write(manifest([spec('w', [1])]), Buffer.alloc(8)), /hold 8 bytes, the weights need 4/],
    ['quantized weights', () => write(manifest([{ ...spec('w', [1]), quantization: { dtype: 'uint8' } }]), Buffer.alloc(1)), /"w" is quantized/],
    ['a weight without a shape', () => write(manifest([{ name: 'w' }]), Buffer.alloc(4)), /without a name and a shape/],
    ['int32 weights', () => write(manifest([{ ...spec('w', [1]), dtype: 'int32' }]), Buffer.alloc(4)), /"w" is int32/],
  ])('%s', (_case, path, message) => {
    const file = path();
    expect(() => readModelFile(file)).toThrow(CliError);
    expect(() => readModelFile(file)).toThrow(message);
    expect(() => readModelFile(file)).toThrow(`--model-file ${file}`);
  });
});

it('writes the layout tfjs-node model.save("file://…") writes', () => {
  const path = writeModelFile(dir, { modelTopology: topology, weightSpecs: [spec('w', [1])], weightData: new Float32Array([2]).buffer });
  const json = JSON.parse(readFileSync(path, 'utf8'));
  expect(json).toMatchObject({ format: 'layers-model', modelTopology: topology, weightsManifest: [{ paths: ['weights.bin'], weights: [spec('w', [1])] }] });
});
