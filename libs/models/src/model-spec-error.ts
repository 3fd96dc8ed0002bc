/**
 * A model spec or Model message that cannot be built. `kind` tells a service which status to answer:
 * 'not-found' (unknown architecture or layer name) → NOT_FOUND, 'invalid' → INVALID_ARGUMENT.
 * `field` names the offending field relative to the ModelSpec or Model message, e.g. "input_shape" or
 * "weights[conv1/kernel]"; a service may prefix it ("config.model.input_shape").
 */
export class ModelSpecError extends Error {
  constructor(
    readonly kind: 'not-found' | 'invalid',
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'ModelSpecError';
  }
}
