// Training step and input gradient of the small CNN (conv16-conv32-dense10, batch 128, 28×28×1) on
// every backend that loads, against the PyTorch reference (/work/shared/bench/torch_reference_cnn.py,
// or TORCH_REFERENCE) at the same thread count; then cnn3, cnn4, resnet8 (libs/models) on the chosen
// backend. Flags: --profile (per-kernel breakdown of cnn3), --no-cpu (skip the slow pure-JS backend),
// --rounds N, --models cnn3,cnn4,resnet8 (which to run; empty string for none). The machine may be shared: every figure is the median of several rounds.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, profileKernels } from '@conjugate/backend';
import { createClassifier, fusedConv2d, fusedMatMul } from '@conjugate/models';
import { median } from './support/median';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const rounds = option('rounds', 5);
const listOption = (name: string, fallback: string[]) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? '').split(',').filter(Boolean) : fallback;
};
const models = listOption('models', ['cnn3', 'cnn4', 'resnet8']);
const batch = 128;
const torchScript = process.env.TORCH_REFERENCE ?? '/work/shared/bench/torch_reference_cnn.py';

function print(name: string, value: number, unit: string): void {
  console.log(`${name}: ${value.toFixed(value >= 100 ? 1 : value >= 1 ? 2 : 3)} ${unit}`);
}

/** Median over rounds of the mean time per call (ms); `warmup` calls first. */
function timeIt(fn: () => void, warmup: number, iterations: number, roundCount: number): number {
  for (let i = 0; i < warmup; i++) fn();
  const perRound: number[] = [];
  for (let r = 0; r < roundCount; r++) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    perRound.push((performance.now() - start) / iterations);
  }
  return median(perRound);
}

type Logits = (x: tf.Tensor4D) => tf.Tensor2D;

interface Workload {
  trainStep: () => void;
  inputGradient: () => void;
  dispose: () => void;
}

/** A training step (Adam, softmax cross-entropy) and an input gradient, each read back to force completion. */
function workload(logits: Logits, variables: tf.Variable[], inputShape: number[], extra: tf.Tensor[] = []): Workload {
  const x = tf.randomUniform([batch, ...inputShape] as [number, number, number, number], 0, 1, 'float32', 1) as tf.Tensor4D;
  const labels = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10);
  const optimizer = tf.train.adam(1e-3);
  const loss = (images: tf.Tensor4D) => tf.losses.softmaxCrossEntropy(labels, logits(images)) as tf.Scalar;
  return {
    trainStep: () => {
      const value = optimizer.minimize(() => loss(x), true, variables);
      value?.dataSync();
      value?.dispose();
    },
    inputGradient: () => {
      const g = tf.tidy(() => tf.grad((images: tf.Tensor) => loss(images as tf.Tensor4D))(x));
      g.dataSync();
      g.dispose();
    },
    dispose: () => {
      optimizer.dispose();
      tf.dispose([x, labels, ...extra]);
    },
  };
}

/** The network of torch_reference_cnn.py, in plain tf ops. */
function smallCnn(): { logits: Logits; variables: tf.Variable[] } {
  const v = (shape: number[], scale: number, seed: number) => tf.variable(tf.randomUniform(shape, -scale, scale, 'float32', seed));
  const w1 = v([3, 3, 1, 16], 1 / 3, 11);
  const b1 = v([16], 1 / 3, 12);
  const w2 = v([3, 3, 16, 32], 1 / 12, 13);
  const b2 = v([32], 1 / 12, 14);
  const w3 = v([800, 10], 1 / Math.sqrt(800), 15);
  const b3 = v([10], 1 / Math.sqrt(800), 16);
  // Bias and ReLU fused into the conv / matmul kernels, as in libs/models' layers.
  const logits: Logits = (x) =>
    tf.tidy(() => {
      let h = tf.maxPool(fusedConv2d(x, w1 as tf.Tensor4D, b1 as tf.Tensor1D, 1, 'valid', 'relu'), 2, 2, 'valid');
      h = tf.maxPool(fusedConv2d(h, w2 as tf.Tensor4D, b2 as tf.Tensor1D, 1, 'valid', 'relu'), 2, 2, 'valid');
      return fusedMatMul(tf.reshape(h, [batch, 800]), w3 as tf.Tensor2D, b3 as tf.Tensor1D, 'linear');
    });
  return { logits, variables: [w1, b1, w2, b2, w3, b3] };
}

function measure(label: string, work: Workload, iterations: number, roundCount: number, warmup = 2): { train: number; grad: number } {
  // Warm up first: the optimizer creates its slots on the first step; after that memory must stay flat.
  work.trainStep();
  work.inputGradient();
  const tensorsBefore = tf.memory().numTensors;
  const train = timeIt(work.trainStep, warmup - 1, iterations, roundCount);
  const grad = timeIt(work.inputGradient, warmup - 1, iterations, roundCount);
  print(`${label}_train_step`, train, 'ms');
  print(`${label}_input_grad`, grad, 'ms');
  print(`${label}_train_images_per_s`, (batch / train) * 1000, 'img/s');
  print(`${label}_tensors_leaked`, tf.memory().numTensors - tensorsBefore, 'tensors');
  return { train, grad };
}

/** Runs the reference script at `threads` threads; medians of `repeats` runs. */
function torchReference(threads: number, repeats: number): { train: number; grad: number } | undefined {
  if (!existsSync(torchScript)) {
    console.error(`# no PyTorch reference: ${torchScript} missing`);
    return undefined;
  }
  const source = readFileSync(torchScript, 'utf8').replace(/torch\.set_num_threads\(\d+\)/, `torch.set_num_threads(${threads})`);
  const train: number[] = [];
  const grad: number[] = [];
  for (let i = 0; i < repeats; i++) {
    try {
      const out = execFileSync('/usr/bin/python3', ['-c', source], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const m = /train step ms ([\d.]+) input-grad ms ([\d.]+)/.exec(out);
      if (!m) throw new Error(`unexpected output: ${out}`);
      train.push(Number(m[1]));
      grad.push(Number(m[2]));
    } catch (error) {
      console.error(`# PyTorch reference failed (apt-get install -y python3-torch): ${(error as Error).message.split('\n')[0]}`);
      return undefined;
    }
  }
  return { train: median(train), grad: median(grad) };
}

/** Per-kernel breakdown of a training step and an input gradient. */
async function printProfile(label: string, work: Workload): Promise<void> {
  for (const [what, fn] of [['train_step', work.trainStep], ['input_grad', work.inputGradient]] as const) {
    const profile = await profileKernels(() => fn(), 3);
    print(`profile_${label}_${what}_wall`, profile.wallMs, 'ms');
    print(`profile_${label}_${what}_kernels_total`, profile.kernelMs, 'ms');
    for (const k of profile.kernels.filter((k) => k.ms >= 0.05)) {
      print(`profile_${label}_${what}_${k.kernel}`, k.ms, `ms (${k.calls} calls, inputs ${k.shapes})`);
    }
  }
}

async function main(): Promise<void> {
  const info = await initBackend();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('@tensorflow/tfjs-backend-cpu');
  const backends = [info.tfBackend];
  if (info.tfBackend !== 'wasm') backends.push('wasm');
  if (!flag('no-cpu') && info.tfBackend !== 'cpu') backends.push('cpu');

  print('threads_tfjs', info.threads, 'threads');
  const results: Record<string, { train: number; grad: number }> = {};
  for (const backend of backends) {
    await tf.setBackend(backend);
    const slow = backend === 'cpu';
    const { logits, variables } = smallCnn();
    const work = workload(logits, variables, [28, 28, 1], variables);
    // The pure-JS backend takes seconds per step: one warm-up and one timed call is all we afford.
    results[backend] = measure(`small_cnn_${backend}`, work, slow ? 1 : 10, slow ? 1 : rounds, slow ? 1 : 3);
    if (flag('profile') && !slow) await printProfile(`small_cnn_${backend}`, work);
    work.dispose();
  }
  await tf.setBackend(info.tfBackend);

  const threads = Math.max(1, info.threads);
  const torch = torchReference(threads, 3);
  if (torch) {
    print(`small_cnn_torch_threads${threads}_train_step`, torch.train, 'ms');
    print(`small_cnn_torch_threads${threads}_input_grad`, torch.grad, 'ms');
    const ours = results[info.tfBackend];
    print(`small_cnn_${info.tfBackend}_vs_torch_train_throughput_ratio`, torch.train / ours.train, 'x');
    print(`small_cnn_${info.tfBackend}_vs_torch_input_grad_throughput_ratio`, torch.grad / ours.grad, 'x');
    if (threads !== 2) {
      const torch2 = torchReference(2, 3);
      if (torch2) {
        print('small_cnn_torch_threads2_train_step', torch2.train, 'ms');
        print('small_cnn_torch_threads2_input_grad', torch2.grad, 'ms');
      }
    }
  }

  for (const architecture of models) {
    const model = createClassifier({ architecture, seed: 1 });
    const work = workload((x) => model.logits(x), model.trainableVariables(), [...model.spec.inputShape]);
    measure(`${architecture}_${info.tfBackend}`, work, 5, rounds);
    if (flag('profile') && architecture === 'cnn3') await printProfile('cnn3', work);
    work.dispose();
    model.dispose();
  }
}

void main();
