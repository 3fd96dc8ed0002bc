import * as protobuf from 'protobufjs';
import { findProtoDir } from './protoDir';
import { contractRoot } from './request-decoding';

/** The custom option of proto/conjugate/v1/limits.proto, as protobufjs names it. */
export const LIMITS_OPTION = '(conjugate.v1.limits)';

/**
 * One field's `(conjugate.v1.limits)` as written in the contract (proto field names of FieldLimits;
 * fields left out of the option are absent).
 */
export interface ContractFieldLimits {
  min?: number;
  max?: number;
  finite?: boolean;
  max_length?: number;
  max_items?: number;
  exclusive_min?: boolean;
  max_bytes?: number;
}

/** A field of the contract and its limits. */
export interface AnnotatedField {
  /** "EstimatorSpec.num_samples"; nested messages by their path: "PointSelection.DatasetPoints.dataset". */
  key: string;
  message: string;
  field: protobuf.Field;
  limits: ContractFieldLimits;
}

function* types(namespace: protobuf.NamespaceBase): Generator<protobuf.Type> {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) yield nested;
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) yield* types(nested);
  }
}

/** Every field of the contract that carries `(conjugate.v1.limits)`, read from proto/ with protobufjs. */
export function annotatedFields(protoDir = findProtoDir()): AnnotatedField[] {
  const pkg = contractRoot(protoDir).lookup('conjugate.v1') as protobuf.Namespace;
  const found: AnnotatedField[] = [];
  for (const type of types(pkg)) {
    const message = type.fullName.replace(/^\.conjugate\.v1\./, '');
    for (const field of type.fieldsArray) {
      // protobufjs keeps each option as written: [{ packed: true }, { '(conjugate.v1.limits)': { min: 0, … } }].
      const parsed = (field.parsedOptions ?? []) as Record<string, unknown>[];
      const option = parsed.find((o) => LIMITS_OPTION in o) as Record<string, ContractFieldLimits> | undefined;
      if (option) found.push({ key: `${message}.${field.name}`, message, field, limits: option[LIMITS_OPTION]! });
    }
  }
  return found;
}

/**
 * The limits of the annotated fields of `messages` (all messages when omitted), by "Message.field" —
 * what a test compares with the TypeScript constants that enforce them.
 */
export function contractLimits(messages?: readonly string[], protoDir?: string): Record<string, ContractFieldLimits> {
  const chosen = annotatedFields(protoDir).filter((f) => !messages || messages.includes(f.message));
  return Object.fromEntries(chosen.map((f) => [f.key, f.limits]));
}
