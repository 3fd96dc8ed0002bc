import { presetConfig } from '@conjugate/presets';
import { torchWorkload, UnsupportedWorkloadError } from './workload';

describe('torchWorkload', () => {
  it("is the paper's epoch 1: the whole MNIST train split, the whole test split for every measurement, the feature map", () => {
    const work = torchWorkload(presetConfig('paper-mnist-cnn3'), 1, '/data');
    expect(work.train).toEqual({ images: 60_000, batch_size: 64, optimizer: 'adam', learning_rate: Math.fround(1e-3) });
    expect(work.test_accuracy).toEqual({ images: 10_000, batch_size: 250 });
    expect(work.robust).toEqual({ images: 10_000, batch_size: 100, epsilon: Math.fround(8 / 255), step_size: Math.fround(2 / 255), steps: 4, random_start: false });
    expect(work.ensemble).toEqual({ points: 10_000, batch_size: 256, bootstrap_resamples: 200 });
    expect(work.packet).toEqual({ points: 100, samples: 256, batch_size: 256, sigma: 8 / 255, jackknife_batches: 8 });
    expect(work.embedding).toEqual({ points: 500, attack: { epsilon: Math.fround(0.1), step_size: Math.fround(0.025), steps: 4, random_start: false }, perplexity: 30, iterations: 500, grid: 64, neighbours: 10 });
    expect([work.dataset_dir, work.threads, work.seed]).toEqual(['/data', 2, 0]);
  });

  it('maps the feature space only at the embedding epochs', () => {
    expect(torchWorkload(presetConfig('paper-mnist-cnn3'), 2, '/data').embedding).toBeNull();
  });

  it("takes quick's smaller numbers, and switches off what the run config switches off", () => {
    const config = presetConfig('quick');
    const work = torchWorkload(config, 1, '/data');
    expect([work.train.images, work.test_accuracy.images, work.robust?.images, work.ensemble?.points]).toEqual([6000, 2000, 200, 500]);
    expect([work.packet?.points, work.packet?.samples, work.embedding?.points]).toEqual([8, 64, 200]);
    config.evaluation = { ...config.evaluation!, robustPoints: 0, ensemblePoints: 0, packet: { ...config.evaluation!.packet!, numPoints: 0 } };
    const off = torchWorkload(config, 2, '/data');
    expect([off.robust, off.ensemble, off.packet, off.embedding]).toEqual([null, null, null, null]);
  });

  it('refuses what torch_paper_epoch.py does not reproduce, saying what', () => {
    expect(() => torchWorkload(presetConfig('tiny'), 1, '/data')).toThrow(new UnsupportedWorkloadError('the run trains tiny on mnist; torch_paper_epoch.py reproduces cnn3 on MNIST only'));
    expect(() => torchWorkload(presetConfig('fashion-cnn3'), 1, '/data')).toThrow(UnsupportedWorkloadError);
  });
});
