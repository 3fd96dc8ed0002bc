import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceDefinition } from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';
import descriptorJson from 'protobufjs/google/protobuf/descriptor.json';
import { findProtoDir } from './protoDir';
import { truncateForMessage } from './field-checks';

/**
 * What a request that could not be decoded becomes. grpc-js would answer INTERNAL "Error deserializing
 * request" for a throwing deserializer; the adapters answer INVALID_ARGUMENT with `reason` instead.
 */
export class UndecodableRequest {
  constructor(readonly reason: string) {}
}

const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

// limits.proto extends google.protobuf.FieldOptions: protobufjs bundles descriptor.proto as JSON but does
// not register it (proto-loader does, on its own copy), so `import "google/protobuf/descriptor.proto"`
// would be looked for in proto/.
protobuf.common('descriptor', descriptorJson.nested.google.nested.protobuf.nested);

/** Every conjugate/v1 .proto file, as import paths relative to the proto folder. */
export function contractFiles(protoDir: string): string[] {
  return readdirSync(join(protoDir, 'conjugate', 'v1'))
    .filter((name) => name.endsWith('.proto'))
    .sort()
    .map((name) => `conjugate/v1/${name}`);
}

// The contract as protobufjs reflection, loaded only when a request fails to decode (rare) or its limits are read.
const roots = new Map<string, protobuf.Root>();
/** The contract as protobufjs reflection (cached per proto folder). */
export function contractRoot(protoDir: string): protobuf.Root {
  let root = roots.get(protoDir);
  if (!root) {
    root = new protobuf.Root();
    root.resolvePath = (_origin, target) => join(protoDir, target);
    for (const file of contractFiles(protoDir)) root.loadSync(file, { keepCase: true });
    root.resolveAll();
    roots.set(protoDir, root);
  }
  return root;
}

/** The first int64 field (path like `images.shape[1]`) whose value lies outside ±(2^53 − 1). */
export function findUnsafeInt64(type: protobuf.Type, message: Record<string, unknown>, path = ''): { field: string; value: string } | undefined {
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    const values = field.repeated && Array.isArray(value) ? value : [value];
    for (let i = 0; i < values.length; i++) {
      const name = `${path}${field.name}${field.repeated ? `[${i}]` : ''}`;
      const item: unknown = values[i];
      if (INT64_TYPES.has(field.type)) {
        const big = BigInt(String(item));
        if (big > SAFE || big < -SAFE) return { field: name, value: big.toString() };
      } else if (field.resolvedType instanceof protobuf.Type && item && typeof item === 'object') {
        const found = findUnsafeInt64(field.resolvedType, item as Record<string, unknown>, `${name}.`);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/** Why `bytes` is not a valid request of `typeName`, naming the field where one is to blame. */
export function explainUndecodable(bytes: Buffer, typeName: string, error: unknown, protoDir: string): string {
  const fallback = `request is not a valid ${typeName}: ${truncateForMessage(error instanceof Error ? error.message : String(error))}`;
  try {
    const type = contractRoot(protoDir).lookupType(typeName);
    let decoded: protobuf.Message;
    try {
      decoded = type.decode(bytes);
    } catch (wireError) {
      return `request is not a valid ${typeName}: ${truncateForMessage(wireError instanceof Error ? wireError.message : String(wireError))}`;
    }
    const unsafe = findUnsafeInt64(type, decoded as unknown as Record<string, unknown>);
    if (unsafe) return `${unsafe.field}: ${unsafe.value} is outside the accepted int64 range ±(2^53 − 1) = ±${Number.MAX_SAFE_INTEGER}`;
    return fallback;
  } catch {
    return fallback;
  }
}

/**
 * The service definition with deserializers that never throw: a request that fails to decode becomes
 * an UndecodableRequest the adapters turn into INVALID_ARGUMENT naming the field (ts-proto decodes int64
 * as number and throws beyond 2^53).
 */
export function withTolerantDecoding(definition: ServiceDefinition, protoDir?: string): ServiceDefinition {
  const wrapped: Record<string, ServiceDefinition[string]> = {};
  for (const [key, method] of Object.entries(definition)) {
    const [, serviceName = '', methodName = ''] = method.path.split('/');
    wrapped[key] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return method.requestDeserialize(bytes);
        } catch (error) {
          let dir: string;
          try {
            dir = findProtoDir(protoDir);
          } catch {
            return new UndecodableRequest(`request is not valid: ${truncateForMessage(error instanceof Error ? error.message : String(error))}`);
          }
          let typeName = `${serviceName}.${methodName}`;
          try {
            typeName = contractRoot(dir).lookupService(serviceName).methods[methodName]!.resolvedRequestType!.fullName.replace(/^\./, '');
          } catch {
            // keep the method path as the name
          }
          return new UndecodableRequest(explainUndecodable(bytes, typeName, error, dir));
        }
      },
    };
  }
  return wrapped as ServiceDefinition;
}
