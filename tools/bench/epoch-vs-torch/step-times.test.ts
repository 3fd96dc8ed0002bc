import { Estimator, EpochMetrics, Space } from '@conjugate/proto';
import { ourStepTimes, torchStepTimes } from './step-times';

describe('ourStepTimes', () => {
  const metrics = EpochMetrics.fromPartial({
    epoch: 1,
    robustPixel: { result: { total: 10 }, missingReason: '' },
    robustFeature: { missingReason: 'robust/feature failed after 2 tries: 14 UNAVAILABLE' },
    uncertainty: [{ estimator: Estimator.ESTIMATOR_PACKET, space: Space.SPACE_FEATURE, missingReason: 'ESS too low' }],
    timings: { trainSeconds: 10, evaluationSeconds: 6, steps: [{ step: 'test-accuracy', seconds: 1 }, { step: 'robust/pixel', seconds: 2 }, { step: 'embedding', seconds: 3 }] },
    hasEmbedding: false,
  });

  it('is train, then the recorded steps in order; the total is train + evaluation seconds', () => {
    const times = ourStepTimes(metrics);
    expect(times.steps).toEqual([
      { step: 'train', seconds: 10 }, { step: 'test-accuracy', seconds: 1 }, { step: 'robust/pixel', seconds: 2 }, { step: 'embedding', seconds: 3 },
    ]);
    expect(times.total).toBe(16);
  });

  it('names the measurements the run recorded as missing', () => {
    expect(ourStepTimes(metrics).missing).toEqual([
      'robust/feature: robust/feature failed after 2 tries: 14 UNAVAILABLE', 'packet/feature: ESS too low', 'embedding: no snapshot recorded',
    ]);
  });

  it('refuses an epoch without step timings instead of guessing', () => {
    expect(() => ourStepTimes(EpochMetrics.fromPartial({ epoch: 1, timings: { trainSeconds: 1 } }))).toThrow(/records no step timings/);
  });
});

describe('torchStepTimes', () => {
  it("reads the script's last line, the total being the sum of its steps", () => {
    const out = 'warming up\n{"torch": "1.13.0", "threads": 2, "steps": [["train", 4.5], ["robust/pixel", 1.5]]}\n';
    expect(torchStepTimes(out)).toEqual({ steps: [{ step: 'train', seconds: 4.5 }, { step: 'robust/pixel', seconds: 1.5 }], total: 6, missing: [], version: '1.13.0', threads: 2 });
  });

  it('says what is wrong with output that is not a result', () => {
    expect(() => torchStepTimes('Traceback …')).toThrow(/printed no JSON result \(last line: "Traceback …"\)/);
    expect(() => torchStepTimes('{"steps": [["train", -1]]}')).toThrow(/"steps" must be a list of \[name, seconds ≥ 0\]/);
    expect(() => torchStepTimes('{"steps": []}')).toThrow(/"steps" must be/);
  });
});
