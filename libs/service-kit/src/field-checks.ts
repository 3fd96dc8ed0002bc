import { invalidArgument, resourceExhausted } from './errors';

/** Longest piece of client input an error message quotes: enough to recognise it, never the whole of it. */
export const MAX_QUOTED_CHARS = 200;

/** `text` cut to `max` characters with how much was left out, so messages never echo unbounded input. */
export function truncateForMessage(text: string, max = MAX_QUOTED_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** Names, ids and other short strings: checked first, so a huge value is refused before any work. */
export function checkString(value: string, field: string, maxLength: number): string {
  if (value.length > maxLength) throw invalidArgument(`${field}: at most ${maxLength} characters, got ${value.length}`);
  return value;
}

/** An integer in [min, max]. */
export function checkInteger(value: number, field: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidArgument(`${field}: must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** A finite number in [min, max] (or (min, max] when `minExclusive`). */
export function checkFinite(value: number, field: string, min: number, max: number, minExclusive = false): number {
  const aboveMin = minExclusive ? value > min : value >= min;
  if (!Number.isFinite(value) || !aboveMin || value > max) {
    throw invalidArgument(`${field}: must be a finite number in ${minExclusive ? '(' : '['}${min}, ${max}], got ${value}`);
  }
  return value;
}

/** A value of a ts-proto enum (an object of name → number), e.g. checkEnum(spec.space, Space, 'spec.space'). */
export function checkEnum(value: number, enumeration: Record<string, string | number>, field: string): number {
  const allowed = Object.values(enumeration).filter((v): v is number => typeof v === 'number' && v >= 0);
  if (!allowed.includes(value)) throw invalidArgument(`${field}: must be one of ${allowed.join(', ')}, got ${value}`);
  return value;
}

/** At most `max` elements in a repeated field. */
export function checkCount(length: number, field: string, max: number): void {
  if (length > max) throw invalidArgument(`${field}: at most ${max} elements, got ${length}`);
}

/** shard_index / shard_count of a request split into shards of batches: count in [0, max] (0 or 1 = every batch), index < count. */
export function checkShard(request: { shardIndex: number; shardCount: number }, max: number): { index: number; count: number } {
  if (!Number.isInteger(request.shardCount) || request.shardCount < 0 || request.shardCount > max) {
    throw invalidArgument(`shard_count: must be in [0, ${max}] (0 or 1 = every batch), got ${request.shardCount}`);
  }
  const count = Math.max(1, request.shardCount);
  if (!Number.isInteger(request.shardIndex) || request.shardIndex < 0 || request.shardIndex >= count) {
    throw invalidArgument(`shard_index: must be in [0, ${count - 1}] for shard_count ${request.shardCount}, got ${request.shardIndex}`);
  }
  return { index: request.shardIndex, count };
}

/** Environment variable holding the largest cost (see each service's README) a single request may have. */
export const MAX_REQUEST_COST_ENV = 'CONJUGATE_MAX_REQUEST_COST';

/**
 * Default ceiling, in model evaluations × max(parameters, input values per image). The heaviest preset
 * measurement — 10 000 robust points × (4 PGD steps + 2 predictions) on cnn4 (1.1 M parameters) —
 * costs 6.7e10, a packet K = 100 × N = 256 on cnn4 2.9e10, the whole-split ensemble under 1e11; even
 * a PGD over a whole 60 000-image split is 4e11. 1e12 passes all of these and refuses
 * steps × images beyond ~10^7 on cnn3, i.e. hours of work on this hardware.
 */
export const DEFAULT_MAX_REQUEST_COST = 1e12;

/** The configured ceiling (CONJUGATE_MAX_REQUEST_COST, a positive number), else the default. */
export function maxRequestCost(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_REQUEST_COST_ENV];
  const value = raw === undefined || raw === '' ? DEFAULT_MAX_REQUEST_COST : Number(raw);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_MAX_REQUEST_COST;
}

/** Refuses work whose estimated cost exceeds the ceiling: RESOURCE_EXHAUSTED naming the limit and how it was estimated. */
export function checkCost(cost: number, what: string, limit = maxRequestCost()): void {
  if (!(cost <= limit)) {
    throw resourceExhausted(`${what} costs ${cost.toExponential(2)}, above the limit ${MAX_REQUEST_COST_ENV}=${limit.toExponential(2)}`);
  }
}
