/** Exit codes a script can act on. */
export const EXIT = {
  ok: 0,
  /** The run ended FAILED or STOPPED, or an operation failed. */
  failed: 1,
  /** Bad flags or arguments. */
  usage: 2,
  /** A service could not be reached: start it with `conjugate up`, or pass its address. */
  unreachable: 3,
  /** The run, dataset or preset does not exist. */
  notFound: 4,
  /** The service refused the request as invalid (the message names the field). */
  invalid: 5,
} as const;

/** An error the CLI prints as one line (no stack) and exits with. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.failed) {
    super(message);
  }
}

const GRPC = { INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, FAILED_PRECONDITION: 9, UNAVAILABLE: 14 };

/** A gRPC failure as something a person can act on: which service, what went wrong, what to do. */
export function fromServiceError(error: unknown, service: string, address: string): CliError {
  const { code, details, message } = error as { code?: number; details?: string; message?: string };
  const said = details || message || String(error);
  switch (code) {
    case GRPC.UNAVAILABLE:
      return new CliError(`cannot reach the ${service} at ${address} (${said}). Start the stack with \`npx conjugate up\`, or pass --${service.replace('-service', '')} HOST:PORT; if it serves TLS, pass --tls-ca (and --tls-cert/--tls-key for mutual TLS).`, EXIT.unreachable);
    case GRPC.NOT_FOUND:
      return new CliError(`${service}: ${said}`, EXIT.notFound);
    case GRPC.INVALID_ARGUMENT:
    case GRPC.FAILED_PRECONDITION:
      return new CliError(`${service} refused the request: ${said}`, EXIT.invalid);
    case GRPC.DEADLINE_EXCEEDED:
      return new CliError(`${service} at ${address} did not answer in time (${said}); it may be busy — try again or raise --timeout.`, EXIT.failed);
    default:
      return new CliError(`${service}: ${said}`, EXIT.failed);
  }
}
