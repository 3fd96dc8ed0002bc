import { Optimizer } from '@conjugate/proto';
import { createOptimizer, optimizerName } from './optimizer';

it('maps the contract enum: unspecified means Adam', () => {
  expect(optimizerName(Optimizer.OPTIMIZER_UNSPECIFIED)).toBe('adam');
  expect(optimizerName(Optimizer.OPTIMIZER_ADAM)).toBe('adam');
  expect(optimizerName(Optimizer.OPTIMIZER_SGD)).toBe('sgd');
  expect(() => optimizerName(Optimizer.UNRECOGNIZED)).toThrow(/optimizer must be/);
});

it.each([0, -1, Number.NaN, Infinity])('refuses learning rate %p', (lr) => {
  expect(() => createOptimizer('adam', lr)).toThrow(/learning_rate/);
});
