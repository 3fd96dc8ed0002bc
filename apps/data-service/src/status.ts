import { DatasetError } from '@conjugate/datasets';
import { failedPrecondition, invalidArgument, notFound } from '@conjugate/service-kit';

/** Dataset errors as gRPC statuses: the operator fixes files (FAILED_PRECONDITION), the caller fixes requests. */
export function toGrpcError(error: unknown): unknown {
  if (!(error instanceof DatasetError)) return error;
  switch (error.code) {
    case 'UNKNOWN_DATASET':
      return notFound(error.message);
    case 'BAD_REQUEST':
      return invalidArgument(error.message);
    case 'UNAVAILABLE':
    case 'CORRUPT':
      return failedPrecondition(error.message);
  }
}

/** Runs `work`, rethrowing dataset errors as gRPC statuses. */
export async function withDatasetStatus<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toGrpcError(error);
  }
}
