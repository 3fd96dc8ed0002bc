/** What was wrong with a tensor message; services map every code to gRPC INVALID_ARGUMENT. */
export type TensorErrorCode =
  | 'UNKNOWN_DTYPE'
  | 'BAD_DIMENSION'
  | 'BYTE_LENGTH'
  | 'TOO_MANY_ELEMENTS'
  | 'NON_FINITE'
  | 'DTYPE_MISMATCH'
  | 'SHAPE_MISMATCH';

/** A tensor message that cannot be used; the message names the tensor and the problem. */
export class TensorError extends Error {
  override readonly name = 'TensorError';
  constructor(
    readonly code: TensorErrorCode,
    message: string,
  ) {
    super(message);
  }
}
