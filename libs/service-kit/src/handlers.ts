import { EventEmitter, once } from 'node:events';
import {
  status,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type Metadata,
  type MethodDefinition,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { cancelled, deadlineExceeded, invalidArgument, mapError } from './errors';
import { UndecodableRequest } from './request-decoding';

/** What every handler gets besides its request. */
export interface CallContext {
  /** Aborts when the client cancels, the deadline passes or the server force-stops. */
  readonly signal: AbortSignal;
  readonly metadata: Metadata;
  /** Milliseconds since epoch; Infinity when the client set no deadline. */
  readonly deadline: number;
  /** The service's logger, bound to this method. */
  readonly logger: Logger;
  /** Throws CANCELLED / DEADLINE_EXCEEDED if the call is over: call between steps of long work. */
  throwIfCancelled(): void;
}

export interface ServerStreamContext<Res> extends CallContext {
  /**
   * Sends one message. Resolves when grpc-js accepted it into a bounded buffer: when the client
   * reads slowly, it waits for 'drain', so a fast producer never buffers without bound.
   * `bytes` (the message's payload size) also bounds the buffer in bytes: grpc-js holds up to 16
   * messages whatever their size, so large messages wait until earlier ones reached the transport
   * while more than the server's maxQueuedStreamBytes would be queued (one message always goes).
   * Rejects with CANCELLED / DEADLINE_EXCEEDED once the call is over.
   */
  write(message: Res, bytes?: number): Promise<void>;
}

export type UnaryHandler<Req, Res> = (request: Req, context: CallContext) => Promise<Res> | Res;
export type ServerStreamingHandler<Req, Res> = (request: Req, stream: ServerStreamContext<Res>) => Promise<void> | void;

type RequestOf<M> = M extends { requestDeserialize: (bytes: Buffer) => infer Req } ? Req : never;
type ResponseOf<M> = M extends { responseSerialize: (value: infer Res) => Buffer } ? Res : never;

/**
 * The implementation of a ts-proto service definition as plain async functions:
 * `const impl: ServiceHandlers<typeof DataServiceService> = { async listDatasets(req, ctx) {...}, ... }`.
 * Unary and server-streaming methods only (the contract has no client streams).
 */
export type ServiceHandlers<D> = {
  [K in keyof D]: D[K] extends { responseStream: true }
    ? ServerStreamingHandler<RequestOf<D[K]>, ResponseOf<D[K]>>
    : UnaryHandler<RequestOf<D[K]>, ResponseOf<D[K]>>;
};

/** Hooks the server gives each adapted handler: metrics and in-flight tracking. */
export interface CallHooks {
  logger: Logger;
  /** Returns the function to call with the final status code name. */
  startCall(service: string, method: string): (codeName: string) => void;
  /** A stream message was accepted by the transport. */
  messageSent(service: string, method: string): void;
  /** Registers an in-flight call's abort; returns its unregister. */
  track(abort: () => void): () => void;
  /** Throws RESOURCE_EXHAUSTED when more calls are in flight than the server takes (this one counted). */
  admit(methodPath: string): void;
  /** Bytes a stream may have queued but not yet handed to the transport (see ServerStreamContext.write). */
  maxQueuedStreamBytes: number;
}

type AnyMethod = MethodDefinition<unknown, unknown>;

/** "/conjugate.v1.DataService/ListDatasets" → ["conjugate.v1.DataService", "ListDatasets"]. */
export function splitPath(path: string): [string, string] {
  const [, service = '', method = ''] = path.split('/');
  return [service, method];
}

const codeName = (code: status) => status[code] ?? String(code);

/** The request, or INVALID_ARGUMENT when its bytes could not be decoded (see withTolerantDecoding). */
function decoded(request: unknown): unknown {
  if (request instanceof UndecodableRequest) throw invalidArgument(request.reason);
  return request;
}

// Builds the context: one AbortController per call, aborted on cancel, deadline or force-stop.
function makeContext(
  call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>,
  methodPath: string,
  hooks: CallHooks,
): { context: CallContext; finish: () => void } {
  const controller = new AbortController();
  const logger = hooks.logger.child({ method: methodPath });
  const rawDeadline = call.getDeadline();
  const deadline = rawDeadline instanceof Date ? rawDeadline.getTime() : rawDeadline;
  const abort = (reason: Error) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  // The client's deadline timer fires first and cancels the stream a moment before ours would.
  const DEADLINE_SLACK_MS = 250;
  const onCancelled = () =>
    abort(
      Date.now() >= deadline - DEADLINE_SLACK_MS
        ? deadlineExceeded(`${methodPath}: deadline exceeded`)
        : cancelled(`${methodPath}: cancelled by the client`),
    );
  call.on('cancelled', onCancelled);
  // A call cancelled before its handler started emits no further 'cancelled': abort right away.
  if (call.cancelled) onCancelled();
  const remaining = deadline - Date.now();
  const timer =
    Number.isFinite(remaining) && remaining < 2 ** 31 - 1
      ? setTimeout(() => abort(deadlineExceeded(`${methodPath}: deadline exceeded`)), Math.max(0, remaining))
      : undefined;
  const untrack = hooks.track(() => abort(cancelled(`${methodPath}: cancelled because the server is shutting down`)));
  const context: CallContext = {
    signal: controller.signal,
    metadata: call.metadata,
    deadline,
    logger,
    throwIfCancelled() {
      if (controller.signal.aborted) throw controller.signal.reason;
    },
  };
  const finish = () => {
    call.removeListener('cancelled', onCancelled);
    if (timer) clearTimeout(timer);
    untrack();
  };
  return { context, finish };
}

function report(hooks: CallHooks, methodPath: string, error: unknown, signal: AbortSignal) {
  // After cancellation, whatever the handler threw is a consequence of the abort.
  const mapped = mapError(signal.aborted ? signal.reason : error, methodPath);
  if (mapped.unexpected) hooks.logger.error({ method: methodPath, err: error }, `unhandled error in ${methodPath}`);
  else hooks.logger.debug({ method: methodPath, code: codeName(mapped.code) }, mapped.details);
  return mapped;
}

/** Wraps a unary handler: thrown errors become statuses, metrics recorded, never a crash. */
export function adaptUnary(definition: AnyMethod, handler: UnaryHandler<unknown, unknown>, hooks: CallHooks): handleUnaryCall<unknown, unknown> {
  const [service, method] = splitPath(definition.path);
  return (call, callback) => {
    const end = hooks.startCall(service, method);
    const { context, finish } = makeContext(call, definition.path, hooks);
    Promise.resolve()
      .then(() => {
        hooks.admit(definition.path);
        return handler(decoded(call.request), context);
      })
      .then(
        (response) => {
          if (context.signal.aborted) throw context.signal.reason;
          end('OK');
          callback(null, response);
        },
      )
      .catch((error: unknown) => {
        const mapped = report(hooks, definition.path, error, context.signal);
        end(codeName(mapped.code));
        callback({ code: mapped.code, details: mapped.details, name: 'Error', message: mapped.details });
      })
      .finally(finish);
  };
}

/** Wraps a server-streaming handler: backpressure-aware writes, cancellation, error statuses. */
export function adaptServerStreaming(
  definition: AnyMethod,
  handler: ServerStreamingHandler<unknown, unknown>,
  hooks: CallHooks,
): handleServerStreamingCall<unknown, unknown> {
  const [service, method] = splitPath(definition.path);
  return (call) => {
    const end = hooks.startCall(service, method);
    const { context, finish } = makeContext(call, definition.path, hooks);
    // Waits for `event` on `target`, or until the call is over (grpc-js drops callbacks of a cancelled call).
    const until = async (target: NodeJS.EventEmitter, event: string) => {
      const ac = new AbortController();
      try {
        await Promise.race([
          once(target, event, { signal: ac.signal }),
          once(context.signal, 'abort', { signal: ac.signal }),
        ]);
      } finally {
        ac.abort();
      }
      context.throwIfCancelled();
    };
    let queuedBytes = 0;
    const flushes = new EventEmitter();
    const write = async (message: unknown, bytes = 0) => {
      context.throwIfCancelled();
      while (queuedBytes > 0 && queuedBytes + bytes > hooks.maxQueuedStreamBytes) await until(flushes, 'flushed');
      queuedBytes += bytes;
      const accepted = call.write(message, () => {
        queuedBytes -= bytes;
        flushes.emit('flushed');
      });
      hooks.messageSent(service, method);
      // Buffer full: wait until the client has read, or the call is over.
      if (!accepted) await until(call, 'drain');
    };
    Promise.resolve()
      .then(() => {
        hooks.admit(definition.path);
        return handler(decoded(call.request), { ...context, write });
      })
      .then(() => {
        if (context.signal.aborted) throw context.signal.reason;
        end('OK');
        call.end();
      })
      .catch((error: unknown) => {
        const mapped = report(hooks, definition.path, error, context.signal);
        end(codeName(mapped.code));
        if (!call.cancelled) call.emit('error', { code: mapped.code, details: mapped.details });
      })
      .finally(finish);
  };
}
