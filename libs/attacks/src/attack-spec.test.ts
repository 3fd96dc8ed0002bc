import { AttackMethod, Norm, Space } from '@conjugate/proto';
import { AttackArgumentError, DEFAULT_ATTACK, resolveAttackSpec } from './attack-spec';

describe('resolveAttackSpec', () => {
  it("fills unset fields with the paper's attack: PGD L∞ in pixel space, ε 8/255, α 2/255, 4 steps", () => {
    expect(resolveAttackSpec(undefined)).toEqual({ method: 'pgd', norm: 'linf', space: 'pixel', epsilon: 8 / 255, stepSize: 2 / 255, steps: 4, randomStart: false, seed: 0 });
    expect(resolveAttackSpec({})).toEqual(DEFAULT_ATTACK);
  });

  it('keeps what the request sets, including zero', () => {
    const spec = resolveAttackSpec({ method: AttackMethod.ATTACK_METHOD_FGSM, norm: Norm.NORM_L2, space: Space.SPACE_FEATURE, epsilon: 0, stepSize: 0.5, steps: 0, randomStart: true, seed: 7 });
    expect(spec).toEqual({ method: 'fgsm', norm: 'l2', space: 'feature', epsilon: 0, stepSize: 0.5, steps: 0, randomStart: true, seed: 7 });
  });

  it.each([
    [{ epsilon: -0.1 }, 'attack.epsilon'],
    [{ epsilon: NaN }, 'attack.epsilon'],
    [{ stepSize: -1 }, 'attack.step_size'],
    [{ steps: -1 }, 'attack.steps'],
    [{ steps: 1.5 }, 'attack.steps'],
    [{ norm: 7 as Norm }, 'attack.norm'],
    [{ space: Space.UNRECOGNIZED }, 'attack.space'],
    [{ method: 9 as AttackMethod }, 'attack.method'],
    [{ steps: 2 ** 31 - 1 }, 'attack.steps'],
    [{ steps: 1001 }, 'attack.steps'],
    [{ epsilon: 1e30 }, 'attack.epsilon'],
    [{ epsilon: 1.5 }, 'attack.epsilon'],
    [{ norm: Norm.NORM_L2, epsilon: 2e4 }, 'attack.epsilon'],
    [{ stepSize: Infinity }, 'attack.step_size'],
    [{ seed: 2 ** 60 }, 'attack.seed'],
  ])('rejects %p naming %s', (proto, field) => {
    expect(() => resolveAttackSpec(proto)).toThrow(AttackArgumentError);
    expect(() => resolveAttackSpec(proto)).toThrow(new RegExp(`^${field}: `));
  });
});

it('accepts the limits themselves: 1000 steps, an L∞ budget of 1, an L2 budget of 10^4', () => {
  expect(resolveAttackSpec({ steps: 1000, epsilon: 1, stepSize: 1 }).steps).toBe(1000);
  expect(resolveAttackSpec({ norm: Norm.NORM_L2, epsilon: 1e4 }).epsilon).toBe(1e4);
});
