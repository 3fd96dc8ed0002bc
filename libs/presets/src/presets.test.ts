import { RunConfig } from '@conjugate/proto';
import { PRESETS, presetConfig } from './presets';

describe('presets', () => {
  it('has the runs the issue names', () => {
    expect(PRESETS.map((p) => p.name)).toEqual(['quick', 'paper-mnist-cnn3', 'paper-cifar10-cnn4', 'paper-cifar10-resnet8', 'fashion-cnn3', 'tiny']);
  });

  it("paper presets train 50 epochs and attack with the paper's PGD", () => {
    for (const name of ['paper-mnist-cnn3', 'paper-cifar10-cnn4', 'paper-cifar10-resnet8']) {
      const config = presetConfig(name);
      expect(config.epochs).toBe(50);
      expect(config.evaluation?.attack?.epsilon).toBeCloseTo(8 / 255);
      expect(config.evaluation?.attack?.stepSize).toBeCloseTo(2 / 255);
      expect(config.evaluation?.attack?.steps).toBe(4);
      expect(config.evaluation?.embeddingEpochs).toEqual([1, 21, 41, 50]);
    }
  });

  it('quick is cnn3 on a 6 000-image MNIST subset for 3 epochs', () => {
    const config = presetConfig('quick');
    expect([config.dataset, config.model?.architecture, config.trainLimit, config.epochs]).toEqual(['mnist', 'cnn3', 6000, 3]);
  });

  it('every preset survives the wire and names itself', () => {
    for (const { name, config } of PRESETS) {
      expect(RunConfig.decode(RunConfig.encode(config).finish())).toEqual(config);
      expect(config.preset).toBe(name);
    }
  });

  it('hands out copies and names the known presets for an unknown one', () => {
    presetConfig('tiny').epochs = 99;
    expect(presetConfig('tiny').epochs).toBe(2);
    expect(() => presetConfig('nope')).toThrow('unknown preset "nope" (known: quick, paper-mnist-cnn3');
  });
});
