/**
 * Why a dataset cannot be served. The data-service maps UNAVAILABLE and CORRUPT to
 * FAILED_PRECONDITION (the operator must install or re-download something), BAD_REQUEST to
 * INVALID_ARGUMENT and UNKNOWN_DATASET to NOT_FOUND.
 */
export type DatasetErrorCode = 'UNKNOWN_DATASET' | 'UNAVAILABLE' | 'CORRUPT' | 'BAD_REQUEST';

export class DatasetError extends Error {
  constructor(
    readonly code: DatasetErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}
