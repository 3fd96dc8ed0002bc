import * as tfl from '@tensorflow/tfjs-layers';

/**
 * The topology JSON, as tfjs-layers writes it, of a Sequential with cnn3's layers under cnn3's weight
 * names (conv1..conv3, fc1, logits): a built-in cnn3 checkpoint's weights load into it unchanged. Tests
 * use it to show a caller's model goes through the same code paths with the same numbers.
 * `softmax` ends the model like a Keras classifier usually is (Dense with activation softmax).
 */
export function cnn3AsLayersTopology(options: { softmax?: boolean; numClasses?: number } = {}): string {
  const model = tfl.sequential({
    name: 'cnn3_as_layers',
    layers: [
      tfl.layers.conv2d({ name: 'conv1', inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
      tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
      tfl.layers.conv2d({ name: 'conv2', filters: 64, kernelSize: 3, activation: 'relu' }),
      tfl.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
      tfl.layers.conv2d({ name: 'conv3', filters: 64, kernelSize: 3, activation: 'relu' }),
      tfl.layers.flatten({ name: 'flatten' }),
      tfl.layers.dense({ name: 'fc1', units: 64, activation: 'relu' }),
      tfl.layers.dense({ name: 'logits', units: options.numClasses ?? 10, activation: options.softmax ? 'softmax' : 'linear' }),
    ],
  });
  try {
    return model.toJSON(null, true) as string;
  } finally {
    model.dispose();
  }
}
