import { epochRows } from './epoch-rows';
import { testRun } from './test-run';

describe('epochRows', () => {
  const rows = epochRows(testRun());

  it('flattens every measurement of an epoch into named columns', () => {
    expect(rows.map((r) => r.epoch)).toEqual([0, 1, 2]);
    expect(rows[1].values.test_accuracy).toBeCloseTo(0.65);
    expect(rows[1].values.robust_pixel_accuracy).toBeCloseTo(0.4);
    expect(rows[1].values.ensemble_pixel_dp).toBeCloseTo(0.08);
    expect(rows[1].values.packet_pixel_product).toBeCloseTo(0.505);
    expect(rows[1].values.packet_pixel_shift! - 0.3).toBeCloseTo(rows[1].values.packet_pixel_dx!, 10);
    expect(rows[1].values.ensemble_pixel_shift).toBeUndefined();
  });

  it('leaves training columns empty before training (epoch 0)', () => {
    expect(rows[0].values.train_loss).toBeNull();
    expect(rows[1].values.train_loss).toBeCloseTo(0.5);
  });

  it('keeps a missing measurement empty, with its reason', () => {
    expect(rows[2].values.robust_feature_accuracy).toBeNull();
    expect(rows[2].missing.robust_feature_accuracy).toBe('attack-service unavailable after 3 tries');
    expect(rows[0].values.packet_feature_dx).toBeNull();
    expect(rows[0].missing.packet_feature).toBe('uncertainty-service: DEADLINE_EXCEEDED');
  });
});
