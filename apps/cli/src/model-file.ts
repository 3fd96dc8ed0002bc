import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { DType, type Model, type NamedTensor } from '@conjugate/proto';
import { CliError, EXIT } from './cli-error';

/** How to read a saved model beyond its files. */
export interface ModelFileOptions {
  /** Layer whose flattened output is z (empty = the input of the last Dense layer). */
  featureLayer?: string;
  /** The value range the model was trained on (default [0, 1]). */
  inputMin?: number;
  inputMax?: number;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype?: string;
  quantization?: unknown;
}

const fail = (path: string, detail: string): never => {
  throw new CliError(`--model-file ${path}: ${detail}`, EXIT.usage);
};

/**
 * A model.json written by tfjs-layers model.save('file://…') or tensorflowjs_converter, with its weight
 * shards beside it, as an inline "layers" Model message: the topology as JSON text, every weight a
 * float32 NamedTensor under its manifest name. The services check the topology; this only reads files.
 */
export function readModelFile(path: string, options: ModelFileOptions = {}): Model {
  let modelJson: { modelTopology?: unknown; weightsManifest?: { paths?: unknown; weights?: unknown }[] };
  try {
    modelJson = JSON.parse(readFileSync(path, 'utf8')) as typeof modelJson;
  } catch (error) {
    return fail(path, `cannot read it as JSON (${(error as Error).message})`);
  }
  if (typeof modelJson !== 'object' || modelJson === null || typeof modelJson.modelTopology !== 'object' || modelJson.modelTopology === null) {
    return fail(path, 'has no "modelTopology": is it a TF.js Layers model.json? (a graph model from tf.saved_model cannot be split into features and head)');
  }
  const weights: NamedTensor[] = [];
  for (const [g, group] of (modelJson.weightsManifest ?? []).entries()) {
    const paths = group.paths;
    const specs = group.weights as WeightSpec[] | undefined;
    if (!Array.isArray(paths) || !Array.isArray(specs)) fail(path, `weightsManifest[${g}] needs "paths" and "weights"`);
    const bytes = Buffer.concat((paths as unknown[]).map((shard) => readShard(path, shard)));
    let offset = 0;
    for (const spec of specs!) {
      if (typeof spec !== 'object' || spec === null || typeof spec.name !== 'string' || !Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
        fail(path, `weightsManifest[${g}] has an entry without a name and a shape of non-negative integers: ${JSON.stringify(spec).slice(0, 200)}`);
      }
      if (spec.quantization) fail(path, `weight "${spec.name}" is quantized; convert the model without --quantize_* (float32 weights)`);
      if ((spec.dtype ?? 'float32') !== 'float32') fail(path, `weight "${spec.name}" is ${spec.dtype}; only float32 weights are supported`);
      const count = spec.shape.reduce((a, b) => a * b, 1);
      const end = offset + 4 * count;
      if (end > bytes.length) fail(path, `the shards of weightsManifest[${g}] end before weight "${spec.name}" (${bytes.length} bytes)`);
      // Copy out of the concatenated shards: one small buffer per weight.
      weights.push({ name: spec.name, tensor: { dtype: DType.DTYPE_FLOAT32, shape: [...spec.shape], data: Buffer.from(bytes.subarray(offset, end)) } });
      offset = end;
    }
    if (offset !== bytes.length) fail(path, `the shards of weightsManifest[${g}] hold ${bytes.length} bytes, the weights need ${offset}`);
  }
  return {
    spec: {
      architecture: 'layers',
      inputShape: [],
      numClasses: 0,
      featureLayer: options.featureLayer ?? '',
      seed: 0,
      layers: { modelTopologyJson: JSON.stringify(modelJson.modelTopology), inputMin: options.inputMin ?? 0, inputMax: options.inputMax ?? 0 },
    },
    weights,
    runId: '',
    epoch: 0,
  };
}

/** A shard named in the manifest: a relative path inside the model's directory. */
function readShard(modelPath: string, shard: unknown): Buffer {
  if (typeof shard !== 'string' || isAbsolute(shard) || normalize(shard).startsWith('..')) return fail(modelPath, `weight shard ${JSON.stringify(shard)} must be a relative path beside model.json`);
  const file = join(dirname(modelPath), shard);
  try {
    return readFileSync(file);
  } catch (error) {
    return fail(modelPath, `cannot read weight shard ${file} (${(error as Error).message})`);
  }
}

/** What tfjs-layers hands a save handler (tf.io.ModelArtifacts, the part a Layers model fills in). */
export interface LayersArtifacts {
  modelTopology: unknown;
  weightSpecs: WeightSpec[];
  weightData: ArrayBuffer;
}

/**
 * Writes artifacts the way tfjs-node's `model.save('file://DIR')` does — DIR/model.json and one shard
 * DIR/weights.bin — so a model made where tfjs-node does not install can still be saved for the CLI.
 * Returns the path of model.json.
 */
export function writeModelFile(dir: string, artifacts: LayersArtifacts): string {
  mkdirSync(dir, { recursive: true });
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'conjugate (tfjs-layers)',
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
  };
  writeFileSync(join(dir, 'weights.bin'), Buffer.from(artifacts.weightData));
  const path = join(dir, 'model.json');
  writeFileSync(path, JSON.stringify(modelJson));
  return path;
}
