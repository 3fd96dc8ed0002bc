import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import * as protobuf from 'protobufjs';
import seedrandom from 'seedrandom';
import { contractRoot } from './request-decoding';
import { findProtoDir } from './protoDir';

// Seeded hostile requests generated from the contract (any message of proto/), for fuzz tests: every field
// takes values a hostile client would send — out-of-range enums, NaN/Inf, int64 beyond 2^53, huge or
// negative sizes, long strings — and some requests are random bytes.

type Rng = () => number;
const pick = <T>(rng: Rng, values: readonly T[]): T => values[Math.floor(rng() * values.length)]!;

const INT32 = [0, 1, 2, -1, 7, 100, 2 ** 31 - 1, -(2 ** 31)];
const INT64 = ['0', '1', '-1', '3', '60000', '9007199254740993', '-9007199254740993', '9223372036854775807'];
const FLOAT = [0, 0.5, 1, -1, NaN, Infinity, -Infinity, 1e30, 8 / 255];
const STRING = () => ['', 'mnist', 'tiny', 'r', 'x'.repeat(300), 'ünïcødé', 'cnn3'];

function value(rng: Rng, field: protobuf.Field, depth: number): unknown {
  if (field.resolvedType instanceof protobuf.Enum) return pick(rng, [0, 1, 2, 99, -1]);
  if (field.resolvedType instanceof protobuf.Type) return depth > 4 ? {} : message(rng, field.resolvedType, depth + 1);
  switch (field.type) {
    case 'int32': case 'sint32': case 'sfixed32': return pick(rng, INT32);
    case 'uint32': case 'fixed32': return pick(rng, [0, 1, 100, 2 ** 32 - 1]);
    case 'int64': case 'sint64': case 'sfixed64': case 'uint64': case 'fixed64': return pick(rng, INT64);
    case 'float': case 'double': return pick(rng, FLOAT);
    case 'bool': return rng() < 0.5;
    case 'string': return pick(rng, STRING());
    case 'bytes': return Buffer.alloc(pick(rng, [0, 1, 4, 16, 256, 4096]), Math.floor(rng() * 256));
    default: return undefined;
  }
}

function message(rng: Rng, type: protobuf.Type, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const oneofMembers = new Set(type.oneofsArray.flatMap((o) => o.fieldsArray.map((f) => f.name)));
  for (const oneof of type.oneofsArray) {
    if (rng() < 0.2) continue;
    const chosen = pick(rng, oneof.fieldsArray);
    out[chosen.name] = value(rng, chosen, depth);
  }
  for (const field of type.fieldsArray) {
    if (oneofMembers.has(field.name) || rng() < 0.3) continue;
    out[field.name] = field.repeated ? Array.from({ length: pick(rng, [0, 1, 2, 3, 4]) }, () => value(rng, field, depth)) : value(rng, field, depth);
  }
  return out;
}

/** `count` seeded hostile encodings of `typeName` (e.g. "conjugate.v1.AttackBatchRequest"); one in ten is random bytes. */
export function hostileRequests(typeName: string, count: number, seed: string, protoDir = findProtoDir()): Buffer[] {
  const type = contractRoot(protoDir).lookupType(typeName);
  const rng = seedrandom(`${seed}/${typeName}`);
  return Array.from({ length: count }, () => {
    if (rng() < 0.1) return Buffer.from(Array.from({ length: Math.floor(rng() * 64) }, () => Math.floor(rng() * 256)));
    return Buffer.from(type.encode(type.fromObject(message(rng, type, 0))).finish());
  });
}

export interface FuzzOutcome {
  /** Status code name → how many calls ended with it. */
  codes: Record<string, number>;
  /** Details of calls that ended INTERNAL or UNKNOWN (should be none). */
  unexpected: string[];
}

const identity = (bytes: Buffer) => bytes;

/**
 * Sends `perMethod` hostile requests to every method of `serviceName` at `address` (one at a time,
 * each with `deadlineMs`), reading streams to their end, and counts the statuses.
 */
export async function fuzzService(address: string, serviceName: string, perMethod: number, seed: string, deadlineMs = 5000): Promise<FuzzOutcome> {
  const protoDir = findProtoDir();
  const service = contractRoot(protoDir).lookupService(serviceName);
  const client = new Client(address, credentials.createInsecure());
  const outcome: FuzzOutcome = { codes: {}, unexpected: [] };
  try {
    for (const method of service.methodsArray) {
      const path = `/${serviceName}/${method.name}`;
      for (const bytes of hostileRequests(method.resolvedRequestType!.fullName.slice(1), perMethod, seed, protoDir)) {
        const code = await new Promise<{ code: number; details: string }>((resolve) => {
          const options = { deadline: Date.now() + deadlineMs };
          if (method.responseStream) {
            const call = client.makeServerStreamRequest(path, identity, identity, bytes, new Metadata(), options);
            call.on('data', () => undefined);
            call.on('error', (error: ServiceError) => resolve({ code: error.code, details: error.details }));
            call.on('end', () => resolve({ code: status.OK, details: '' }));
          } else {
            client.makeUnaryRequest(path, identity, identity, bytes, new Metadata(), options, (error: ServiceError | null) =>
              resolve(error ? { code: error.code, details: error.details } : { code: status.OK, details: '' }),
            );
          }
        });
        const name = status[code.code] ?? String(code.code);
        outcome.codes[name] = (outcome.codes[name] ?? 0) + 1;
        if (code.code === status.INTERNAL || code.code === status.UNKNOWN) outcome.unexpected.push(`${method.name}: ${code.details}`);
      }
    }
  } finally {
    client.close();
  }
  return outcome;
}
