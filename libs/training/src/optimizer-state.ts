import * as tf from '@tensorflow/tfjs-core';

/** An optimizer's slots by stable name, so a resumed run continues exactly where it stopped. */
export interface OptimizerSlot {
  name: string;
  tensor: tf.Tensor;
}

// Adam keeps β₁ᵗ and β₂ᵗ as running products; its setWeights recomputes them with pow(), which
// differs in the last bits, so we save and restore the products themselves.
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

function adamInternals(optimizer: tf.Optimizer): AdamInternals | undefined {
  const candidate = optimizer as unknown as Partial<AdamInternals>;
  return candidate.accBeta1 instanceof tf.Variable && candidate.accBeta2 instanceof tf.Variable ? (candidate as AdamInternals) : undefined;
}

/**
 * The optimizer's state: "iterations", then per weight (by the classifier's weight names, in order)
 * "m/<weight>" and "v/<weight>" for Adam, and Adam's "adam/beta1_power", "adam/beta2_power".
 * The tensors are copies the caller disposes.
 */
export async function saveOptimizerState(optimizer: tf.Optimizer, weightNames: readonly string[]): Promise<OptimizerSlot[]> {
  const weights = await optimizer.getWeights();
  const [iterations, ...slots] = weights;
  const perWeight = slots.length / Math.max(weightNames.length, 1);
  if (slots.length > 0 && (perWeight !== Math.floor(perWeight) || perWeight > 2)) {
    throw new Error(`optimizer holds ${slots.length} slots for ${weightNames.length} weights`);
  }
  const prefixes = ['m', 'v'];
  const saved: OptimizerSlot[] = [{ name: 'iterations', tensor: tf.clone(iterations.tensor) }];
  iterations.tensor.dispose(); // getWeights makes a fresh scalar for it
  slots.forEach((slot, i) => {
    saved.push({ name: `${prefixes[Math.floor(i / weightNames.length)]}/${weightNames[i % weightNames.length]}`, tensor: tf.clone(slot.tensor) });
  });
  const adam = adamInternals(optimizer);
  if (adam) {
    saved.push({ name: 'adam/beta1_power', tensor: tf.clone(adam.accBeta1) }, { name: 'adam/beta2_power', tensor: tf.clone(adam.accBeta2) });
  }
  return saved;
}

/** Load state saved by saveOptimizerState into a fresh optimizer of the same kind. Slots are not disposed. */
export async function restoreOptimizerState(optimizer: tf.Optimizer, weightNames: readonly string[], slots: OptimizerSlot[]): Promise<void> {
  const byName = new Map(slots.map((s) => [s.name, s.tensor]));
  const iterations = byName.get('iterations');
  if (!iterations) throw new Error('optimizer state has no "iterations" slot');
  const moments = ['m', 'v'].flatMap((prefix) => weightNames.map((w) => byName.get(`${prefix}/${w}`)));
  const present = moments.filter((t): t is tf.Tensor => t !== undefined);
  if (present.length !== 0 && present.length !== moments.length) throw new Error('optimizer state has moments for only some weights');
  // setWeights makes variables that share the given tensors' data; hand it copies so the caller's
  // slots stay independent, then drop our handles (the variables keep the data alive).
  const copies = present.map((t) => tf.clone(t));
  await optimizer.setWeights([{ name: 'iter', tensor: iterations }, ...copies.map((tensor, i) => ({ name: `slot${i}`, tensor }))]);
  tf.dispose(copies);
  const adam = adamInternals(optimizer);
  const beta1 = byName.get('adam/beta1_power');
  const beta2 = byName.get('adam/beta2_power');
  if (adam && beta1 && beta2) {
    adam.accBeta1.assign(beta1);
    adam.accBeta2.assign(beta2);
  }
}
