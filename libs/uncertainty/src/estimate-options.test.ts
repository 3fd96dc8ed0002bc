import { InvalidEstimateError, resolveEstimateOptions } from './estimate-options';

describe('resolveEstimateOptions', () => {
  it('fills the spec defaults: σ = 8/255, N = 256, 200 resamples, 8 batches', () => {
    const options = resolveEstimateOptions({ estimator: 'packet', space: 'pixel' });
    expect(options).toMatchObject({ sigma: 8 / 255, samplesPerPoint: 256, bootstrapResamples: 200, jackknifeBatches: 8, shardCount: 1 });
  });

  it.each([
    [{ samplesPerPoint: 1 }, /num_samples \(N\) must be an integer ≥ 2/],
    [{ sigma: 0 }, /sigma must be > 0/],
    [{ sigma: -0.1 }, /sigma must be > 0/],
    [{ sigmaSweep: [0.1, 0] }, /sigma_sweep/],
    [{ shardCount: 9 }, /shard_count \(9\) must not exceed jackknife_batches \(8\)/],
    [{ shardIndex: 2, shardCount: 2 }, /shard_index must be in \[0, 2\)/],
    [{ estimator: 'bogus' }, /unknown estimator "bogus"/],
    [{ space: 'latent' }, /unknown space "latent"/],
  ])('rejects %o', (bad, message) => {
    const call = () => resolveEstimateOptions({ estimator: 'packet', space: 'pixel', ...(bad as object) } as never);
    expect(call).toThrow(InvalidEstimateError);
    expect(call).toThrow(message);
  });
});
