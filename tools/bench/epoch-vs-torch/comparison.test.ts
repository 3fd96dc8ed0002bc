import { benchLabel, comparisonLines } from './comparison';

const ours = { steps: [{ step: 'train', seconds: 20 }, { step: 'robust/pixel', seconds: 5 }, { step: 'embedding', seconds: 0.25 }], total: 26, missing: [] };
const torch = { steps: [{ step: 'train', seconds: 10 }, { step: 'robust/pixel', seconds: 10 }, { step: 'packet/pixel', seconds: 2 }], total: 22, missing: [] };

it('labels the paper preset "paper", any other by its name', () => {
  expect([benchLabel('paper-mnist-cnn3'), benchLabel('quick'), benchLabel('fashion-cnn3')]).toEqual(['paper', 'quick', 'fashion_cnn3']);
});

it('prints the epoch and each step, ours, PyTorch and R = torch / ours, and a # line where one side lacks a step', () => {
  expect(comparisonLines('paper', ours, torch)).toEqual([
    'paper_epoch_s: 26.00 s', 'torch_paper_epoch_s: 22.00 s', 'paper_epoch_speed_vs_torch: 0.85 x',
    'paper_train_s: 20.00 s', 'torch_paper_train_s: 10.00 s', 'paper_train_speed_vs_torch: 0.50 x',
    'paper_robust_pixel_s: 5.00 s', 'torch_paper_robust_pixel_s: 10.00 s', 'paper_robust_pixel_speed_vs_torch: 2.00 x',
    'paper_embedding_s: 0.250 s', '# paper_embedding: not run by PyTorch',
    'torch_paper_packet_pixel_s: 2.00 s', '# paper_packet_pixel: PyTorch ran it, our run recorded no such step',
  ]);
});

it('prints ours alone without a PyTorch side, and every measurement our run recorded missing', () => {
  expect(comparisonLines('quick', { ...ours, missing: ['robust/feature: down'] }, undefined)).toEqual([
    'quick_epoch_s: 26.00 s', 'quick_train_s: 20.00 s', 'quick_robust_pixel_s: 5.00 s', 'quick_embedding_s: 0.250 s',
    '# quick: our robust/feature: down (its time is that of a failure)',
  ]);
});

it('compares the estimate steps, which ran side by side, as a group: the longest of ours against the sum of PyTorch\'s', () => {
  const estimates = [{ step: 'ensemble/pixel', seconds: 4 }, { step: 'packet/pixel', seconds: 6 }];
  const lines = comparisonLines('paper', { ...ours, steps: [...ours.steps, ...estimates] }, { ...torch, steps: [...torch.steps.slice(0, 2), { step: 'ensemble/pixel', seconds: 5 }, { step: 'packet/pixel', seconds: 7 }] });
  expect(lines).toEqual(expect.arrayContaining([
    'paper_estimates_s: 6.00 s', 'torch_paper_estimates_s: 12.00 s', 'paper_estimates_speed_vs_torch: 2.00 x',
    '# paper_estimates: our 2 estimate steps ran side by side (their own lines overlap); PyTorch\'s one after another',
  ]));
});
