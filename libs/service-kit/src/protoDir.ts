import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

const MARKER = join('conjugate', 'v1');

/**
 * Finds the proto/ folder that holds conjugate/v1/*.proto. Order: `explicit`, then
 * CONJUGATE_PROTO_DIR (Docker images that copy proto/ elsewhere set it), then proto/ in this
 * file's ancestors (the repo checkout), then in the working directory's ancestors.
 */
export function findProtoDir(explicit?: string): string {
  const configured = explicit ?? process.env.CONJUGATE_PROTO_DIR;
  if (configured) {
    const dir = resolve(configured);
    if (!existsSync(join(dir, MARKER))) {
      throw new Error(`CONJUGATE_PROTO_DIR=${configured} does not contain conjugate/v1/*.proto`);
    }
    return dir;
  }
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'proto', MARKER))) return join(dir, 'proto');
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(
    `cannot find proto/conjugate/v1 above ${__dirname} or ${process.cwd()}: set CONJUGATE_PROTO_DIR to the repository's proto/ folder`,
  );
}

/**
 * Every conjugate/v1 .proto plus grpc.health.v1, loaded with descriptors (ts-proto output has
 * none; reflection needs them).
 */
export function loadContractDescriptors(protoDir: string): protoLoader.PackageDefinition {
  const files = readdirSync(join(protoDir, MARKER))
    .filter((name) => name.endsWith('.proto'))
    .sort()
    .map((name) => join('conjugate', 'v1', name));
  // health.proto sits at <root>/health/v1/health.proto in grpc-health-check.
  const healthRoot = dirname(dirname(dirname(healthProtoPath)));
  return protoLoader.loadSync([...files, join('health', 'v1', 'health.proto')], {
    includeDirs: [protoDir, healthRoot],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
  });
}
