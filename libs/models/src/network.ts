import type { Forward } from './layers';
import type { ParameterStore } from './parameters';

/** A named step of a network; any stage's flattened output can serve as the feature vector z = g(x). */
export interface Stage {
  name: string;
  forward: Forward;
}

/** A built network: its stages in order (the last one outputs logits) and its weights. */
export interface Network {
  stages: Stage[];
  /** The stage whose flattened output is z by default: the last convolutional block. */
  defaultFeatureStage: string;
  parameters: ParameterStore;
}

/** What an architecture needs to build itself. */
export interface BuildOptions {
  inputShape: [number, number, number];
  numClasses: number;
  seed: number;
}

/** One architecture: its name, the input shapes it accepts, and how to build it. */
export interface Architecture {
  name: string;
  /** Input shape when a spec gives none; undefined = the spec must give one. */
  defaultInputShape?: [number, number, number];
  /** Why this input shape cannot be used, or undefined when it can. */
  rejectInputShape(shape: [number, number, number]): string | undefined;
  build(options: BuildOptions, parameters: ParameterStore): Omit<Network, 'parameters'>;
}
