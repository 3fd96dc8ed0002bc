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
  ])('rejects %p naming %s', (proto, field) => {
    expect(() => resolveAttackSpec(proto)).toThrow(AttackArgumentError);
    expect(() => resolveAttackSpec(proto)).toThrow(new RegExp(`^${field}: `));
  });
});
