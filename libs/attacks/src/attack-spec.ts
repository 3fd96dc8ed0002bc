import { AttackMethod, Norm, Space, type AttackSpec as ProtoAttackSpec } from '@conjugate/proto';

export type AttackMethodName = 'fgsm' | 'pgd';
export type NormName = 'linf' | 'l2';
export type SpaceName = 'pixel' | 'feature';

/** One attack with every default resolved. Budgets are in pixel units, also for feature space. */
export interface AttackSpec {
  method: AttackMethodName;
  norm: NormName;
  space: SpaceName;
  /** Radius of the perturbation ball. */
  epsilon: number;
  /** PGD step size (FGSM steps by epsilon). */
  stepSize: number;
  /** PGD iterations (FGSM is one step). */
  steps: number;
  /** Start PGD at a uniform random point of the epsilon-ball, drawn with `seed`. */
  randomStart: boolean;
  seed: number;
}

/** The paper's attack: PGD, L-infinity, pixel space, ε = 8/255, α = 2/255, 4 steps. */
export const DEFAULT_ATTACK: Readonly<AttackSpec> = Object.freeze({
  method: 'pgd',
  norm: 'linf',
  space: 'pixel',
  epsilon: 8 / 255,
  stepSize: 2 / 255,
  steps: 4,
  randomStart: false,
  seed: 0,
});

/** A request that cannot be served as asked; `field` names what was wrong (services answer INVALID_ARGUMENT). */
export class AttackArgumentError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'AttackArgumentError';
  }
}

const METHODS = new Map<AttackMethod, AttackMethodName>([
  [AttackMethod.ATTACK_METHOD_UNSPECIFIED, DEFAULT_ATTACK.method],
  [AttackMethod.ATTACK_METHOD_FGSM, 'fgsm'],
  [AttackMethod.ATTACK_METHOD_PGD, 'pgd'],
]);
const NORMS = new Map<Norm, NormName>([
  [Norm.NORM_UNSPECIFIED, DEFAULT_ATTACK.norm],
  [Norm.NORM_LINF, 'linf'],
  [Norm.NORM_L2, 'l2'],
]);
const SPACES = new Map<Space, SpaceName>([
  [Space.SPACE_UNSPECIFIED, DEFAULT_ATTACK.space],
  [Space.SPACE_PIXEL, 'pixel'],
  [Space.SPACE_FEATURE, 'feature'],
]);

function pick<K, V>(table: Map<K, V>, value: K, field: string): V {
  const found = table.get(value);
  if (found === undefined) throw new AttackArgumentError(field, `unknown value ${String(value)}`);
  return found;
}

/**
 * Limits of a single attack (documented in attack.proto). PGD beyond 1000 steps has long converged;
 * an L∞ budget beyond 1 covers the whole pixel range, and an L2 budget beyond 10^4 exceeds the
 * diameter of any image the models take.
 */
export const MAX_ATTACK_STEPS = 1000;
export const MAX_LINF_BUDGET = 1;
export const MAX_L2_BUDGET = 1e4;

function inRange(value: number, field: string, max: number): number {
  if (!Number.isFinite(value) || value < 0 || value > max) throw new AttackArgumentError(field, `must be a finite number in [0, ${max}], got ${value}`);
  return value;
}

/** The contract's AttackSpec (fields left unset take the paper's defaults), validated. */
export function resolveAttackSpec(proto: Partial<ProtoAttackSpec> | undefined): AttackSpec {
  const spec = proto ?? {};
  const steps = spec.steps ?? DEFAULT_ATTACK.steps;
  if (!Number.isInteger(steps) || steps < 0 || steps > MAX_ATTACK_STEPS) {
    throw new AttackArgumentError('attack.steps', `must be an integer in [0, ${MAX_ATTACK_STEPS}], got ${steps}`);
  }
  const norm = pick(NORMS, spec.norm ?? Norm.NORM_UNSPECIFIED, 'attack.norm');
  const maxBudget = norm === 'linf' ? MAX_LINF_BUDGET : MAX_L2_BUDGET;
  const seed = spec.seed ?? DEFAULT_ATTACK.seed;
  if (!Number.isSafeInteger(seed)) throw new AttackArgumentError('attack.seed', `must be an integer within ±(2^53 − 1), got ${seed}`);
  return {
    method: pick(METHODS, spec.method ?? AttackMethod.ATTACK_METHOD_UNSPECIFIED, 'attack.method'),
    norm,
    space: pick(SPACES, spec.space ?? Space.SPACE_UNSPECIFIED, 'attack.space'),
    epsilon: inRange(spec.epsilon ?? DEFAULT_ATTACK.epsilon, 'attack.epsilon', maxBudget),
    stepSize: inRange(spec.stepSize ?? DEFAULT_ATTACK.stepSize, 'attack.step_size', maxBudget),
    steps,
    randomStart: spec.randomStart ?? DEFAULT_ATTACK.randomStart,
    seed,
  };
}

/** The contract's Space for a resolved space name (for responses). */
export function spaceToProto(space: SpaceName): Space {
  return space === 'pixel' ? Space.SPACE_PIXEL : Space.SPACE_FEATURE;
}
