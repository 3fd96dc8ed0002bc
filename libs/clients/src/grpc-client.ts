import {
  Metadata,
  type CallOptions,
  type ChannelOptions,
  type Client,
  type ClientReadableStream,
  type ServiceError,
  type ChannelCredentials,
} from '@grpc/grpc-js';
import { channelCredentials, clientTlsFromEnv, tlsChannelOptions, type ClientTlsOptions } from '@conjugate/service-kit';

export const DEFAULT_CLIENT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface ConnectOptions {
  /** Max bytes per message, both directions. Default 64 MiB (as the services). */
  maxMessageBytes?: number;
  /** Extra grpc-js channel options, applied last. */
  channelOptions?: ChannelOptions;
  /**
   * host:port to present instead of the address (:authority, and the name the server's certificate is
   * checked against unless TLS names one): for an address resolved from that name (resolveEndpoints).
   */
  authority?: string;
  /** TLS towards the service; default from the env (TLS_CA_FILE, TLS_CERT_FILE, TLS_KEY_FILE, TLS_SERVER_NAME); false forces plaintext. */
  tls?: ClientTlsOptions | false;
}

/** round_robin: a target resolving to several backends (a headless Kubernetes Service, `dns:///…`) gets its calls spread over all of them. */
const ROUND_ROBIN_SERVICE_CONFIG = JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] });

/**
 * Channel options for conjugate's services: big tensor messages, keepalive pings so a long-quiet
 * stream (a training epoch between batches) notices a dead peer, and round_robin load balancing
 * (grpc-js would otherwise pick_first: one backend per channel until it fails).
 */
export function defaultChannelOptions(maxMessageBytes = DEFAULT_CLIENT_MAX_MESSAGE_BYTES): ChannelOptions {
  return {
    'grpc.service_config': ROUND_ROBIN_SERVICE_CONFIG,
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
    'grpc.keepalive_permit_without_calls': 0,
  };
}

/** A generated ts-proto client (e.g. DataServiceClient) for host:port: TLS when configured (options or env), else plaintext. */
export function createClient<C extends Client>(
  Constructor: new (address: string, creds: ChannelCredentials, options?: ChannelOptions) => C,
  address: string,
  options: ConnectOptions = {},
): C {
  const tls = options.tls === false ? undefined : (options.tls ?? clientTlsFromEnv());
  return new Constructor(address, channelCredentials(tls), {
    ...defaultChannelOptions(options.maxMessageBytes),
    ...(options.authority ? { 'grpc.default_authority': options.authority, 'grpc.ssl_target_name_override': options.authority.replace(/:\d+$/, '') } : {}),
    ...tlsChannelOptions(tls),
    ...options.channelOptions,
  });
}

export interface CallSettings {
  /** Deadline in ms from now. Unary default 30 s; streams default none. */
  deadlineMs?: number;
  /** Aborting cancels the call. */
  signal?: AbortSignal;
  metadata?: Metadata;
}

function callOptions(settings: CallSettings, defaultDeadlineMs?: number): Partial<CallOptions> {
  const deadlineMs = settings.deadlineMs ?? defaultDeadlineMs;
  return deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => { cancel(): void };

/**
 * One unary call as a promise: `await unaryCall(client, client.describeDataset, { name })`.
 * Rejects with the grpc-js ServiceError (code, details); aborting `signal` cancels the call.
 */
export function unaryCall<C extends Client, Req, Res>(client: C, method: UnaryMethod<Req, Res>, request: Req, settings: CallSettings = {}): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    settings.signal?.throwIfAborted();
    const call = method.call(client, request, settings.metadata ?? new Metadata(), callOptions(settings, 30_000), (error, response) => {
      settings.signal?.removeEventListener('abort', cancel);
      if (error) reject(error);
      else resolve(response);
    });
    const cancel = () => call.cancel();
    settings.signal?.addEventListener('abort', cancel, { once: true });
  });
}

/**
 * A server stream as an async iterable:
 * `for await (const m of serverStream((options) => client.streamBatches(req, new Metadata(), options), { deadlineMs }))`
 * (pass a Metadata before the options: grpc-js treats an undefined metadata as "options first" and drops them).
 * Breaking out of the loop, throwing inside it, or aborting `signal` cancels the call on the server.
 * After an abort the loop ends with the signal's reason.
 */
export async function* serverStream<T>(start: (options: Partial<CallOptions>) => ClientReadableStream<T>, settings: CallSettings = {}): AsyncGenerator<T> {
  settings.signal?.throwIfAborted();
  const call = start(callOptions(settings));
  const cancel = () => call.cancel();
  settings.signal?.addEventListener('abort', cancel, { once: true });
  try {
    for await (const message of call as AsyncIterable<T>) yield message;
  } catch (error) {
    settings.signal?.throwIfAborted();
    throw error;
  } finally {
    settings.signal?.removeEventListener('abort', cancel);
    call.cancel(); // no-op when the stream already ended
  }
}
