import { status } from '@grpc/grpc-js';

export { status } from '@grpc/grpc-js';

/** An error that carries the gRPC status it should become. Throw it from a handler. */
export class GrpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = 'GrpcError';
  }
}

export const grpcError = (code: status, message: string) => new GrpcError(code, message);
export const invalidArgument = (message: string) => new GrpcError(status.INVALID_ARGUMENT, message);
export const notFound = (message: string) => new GrpcError(status.NOT_FOUND, message);
export const failedPrecondition = (message: string) => new GrpcError(status.FAILED_PRECONDITION, message);
export const alreadyExists = (message: string) => new GrpcError(status.ALREADY_EXISTS, message);
export const resourceExhausted = (message: string) => new GrpcError(status.RESOURCE_EXHAUSTED, message);
export const outOfRange = (message: string) => new GrpcError(status.OUT_OF_RANGE, message);
export const unavailable = (message: string) => new GrpcError(status.UNAVAILABLE, message);
export const unimplemented = (message: string) => new GrpcError(status.UNIMPLEMENTED, message);
export const cancelled = (message: string) => new GrpcError(status.CANCELLED, message);
export const deadlineExceeded = (message: string) => new GrpcError(status.DEADLINE_EXCEEDED, message);

/** What a thrown value becomes on the wire. `unexpected` marks a bug (INTERNAL): log its stack. */
export interface MappedError {
  code: status;
  details: string;
  unexpected: boolean;
}

const validCodes = new Set<number>(Object.values(status).filter((v): v is number => typeof v === 'number'));

/**
 * Maps anything a handler throws to a status: GrpcError keeps its code; an error from a downstream
 * gRPC call (has a numeric `code` and `details`) passes its status through; an AbortError is
 * CANCELLED; everything else is INTERNAL.
 */
export function mapError(error: unknown, method: string): MappedError {
  const mapped = mapErrorUnbounded(error, method);
  return { ...mapped, details: boundDetails(mapped.details) };
}

// Status details travel in a header: one over grpc-js's metadata limit would leave the client with no status at all.
const MAX_DETAILS_CHARS = 2000;
function boundDetails(details: string): string {
  return details.length <= MAX_DETAILS_CHARS ? details : `${details.slice(0, MAX_DETAILS_CHARS)}… (${details.length - MAX_DETAILS_CHARS} more characters)`;
}

function mapErrorUnbounded(error: unknown, method: string): MappedError {
  if (error instanceof GrpcError) return { code: error.code, details: error.message, unexpected: false };
  if (isDownstreamServiceError(error)) {
    return { code: error.code, details: error.details || error.message, unexpected: false };
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return { code: status.CANCELLED, details: `${method}: cancelled`, unexpected: false };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: status.INTERNAL, details: `${method} failed: ${message}`, unexpected: true };
}

function isDownstreamServiceError(error: unknown): error is Error & { code: status; details: string } {
  if (!(error instanceof Error)) return false;
  const candidate = error as Error & { code?: unknown; details?: unknown };
  return typeof candidate.code === 'number' && validCodes.has(candidate.code) && typeof candidate.details === 'string' && candidate.code !== status.OK;
}
