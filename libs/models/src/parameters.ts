import * as tf from '@tensorflow/tfjs-core';

/** How a weight starts: He-uniform for layers followed by ReLU, Glorot-uniform for the logits, zeros for biases. */
export type Initializer = 'he' | 'glorot' | 'zeros';

/**
 * The trainable weights of one network, by stable name ("conv1/kernel"), in creation order.
 * Initialisation is seeded per weight name, so adding a layer does not change the others' values.
 */
export class ParameterStore {
  private readonly byName = new Map<string, tf.Variable>();

  constructor(private readonly seed: number) {}

  /** fanIn/fanOut: inputs and outputs per unit (kernel height × width × channels for a convolution). */
  add(name: string, shape: number[], init: Initializer, fanIn = 1, fanOut = 1): tf.Variable {
    if (this.byName.has(name)) throw new Error(`duplicate weight name ${name}`);
    const initial = tf.tidy(() => {
      if (init === 'zeros') return tf.zeros(shape);
      const limit = init === 'he' ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
      // A string seed: tfjs treats the number 0 as "unseeded".
      return tf.randomUniform(shape, -limit, limit, 'float32', `${this.seed}/${name}`);
    });
    // No tf name: the engine's variable names are global and two models would clash.
    const variable = tf.variable(initial, true);
    initial.dispose();
    this.byName.set(name, variable);
    return variable;
  }

  get(name: string): tf.Variable | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  variables(): tf.Variable[] {
    return [...this.byName.values()];
  }

  count(): number {
    return this.variables().reduce((sum, v) => sum + v.size, 0);
  }

  dispose(): void {
    for (const v of this.byName.values()) v.dispose();
    this.byName.clear();
  }
}
