import type { EpochRow } from '@conjugate/report';
import { epochTable, epochTableRow } from './epoch-table';

const row = (epoch: number, product: number | null): EpochRow => ({
  epoch,
  values: { epoch, train_loss: epoch ? 0.25 : null, test_accuracy: 0.9, robust_pixel_accuracy: 0.5, robust_feature_accuracy: null, packet_pixel_product: product, packet_pixel_product_se: 0.002 },
  missing: { robust_feature_accuracy: 'attack-service failed after 3 tries: UNAVAILABLE' },
});

describe('epoch table', () => {
  it('prints the header with the first row only, and ± for the products', () => {
    const first = epochTableRow(row(0, 0.5012), true);
    const next = epochTableRow(row(1, 0.5031), false);
    expect(first).toContain('test acc');
    expect(first).toContain('0.501±0.002');
    expect(first).toContain('—');
    expect(next).not.toContain('test acc');
    expect(next).toContain('0.250');
  });

  it('lists every missing measurement with its reason under the table', () => {
    const table = epochTable([row(0, 0.5), row(1, null)]);
    expect(table).toContain('missing:');
    expect(table).toContain('epoch 1 robust_feature_accuracy: attack-service failed after 3 tries: UNAVAILABLE');
  });
});
