import type { ClientReadableStream } from '@grpc/grpc-js';
import { Estimator, UncertaintyServiceClient, type EstimateRequest, type EstimateResult, type EstimateUpdate, type Progress } from '@conjugate/proto';
import { DEFAULT_ESTIMATE_OPTIONS, mergeEstimateResults } from '@conjugate/uncertainty';
import { createClient, type ConnectOptions } from './grpc-client';

export interface FanOutOptions {
  /** Progress of each shard as its replica streams it. */
  onProgress?: (shardIndex: number, progress: Progress) => void;
  /** Deadline for the whole estimate, in ms from now. */
  deadlineMs?: number;
  /** Max bytes per gRPC message (results carry sufficient statistics). Default 64 MiB. */
  maxMessageBytes?: number;
  signal?: AbortSignal;
  /** TLS towards the replicas (default from the env, see ConnectOptions). */
  tls?: ConnectOptions['tls'];
  /**
   * Shards of a packet estimate (default: one per address). Shard i goes to address i mod n, so more
   * shards than addresses spread over the backends of round_robin targets (a headless Service name).
   */
  shards?: number;
}

/** Runs one Estimate call to its result, forwarding progress; rejects with the replica's status. */
function runEstimate(client: UncertaintyServiceClient, request: EstimateRequest, deadline: number | undefined, onProgress: (p: Progress) => void, signal?: AbortSignal): Promise<EstimateResult> {
  return new Promise((resolve, reject) => {
    const call: ClientReadableStream<EstimateUpdate> = client.estimate(request, deadline === undefined ? {} : { deadline });
    let result: EstimateResult | undefined;
    const cancel = () => call.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    call.on('data', (update: EstimateUpdate) => {
      if (update.update?.$case === 'progress') onProgress(update.update.value);
      else if (update.update?.$case === 'result') result = update.update.value;
    });
    call.on('error', (error) => {
      signal?.removeEventListener('abort', cancel);
      reject(error);
    });
    call.on('end', () => {
      signal?.removeEventListener('abort', cancel);
      if (result) resolve(result);
      else reject(new Error(`${client.getChannel().getTarget()}: Estimate ended without a result`));
    });
  });
}

/**
 * Fans one packet estimate out over replicas of the uncertainty-service: shard i of n goes to
 * `addresses[i mod addresses]` (a shard is a set of jackknife batches with their own random streams), all run
 * concurrently, and their sufficient statistics are merged exactly (libs/uncertainty) into the result
 * one replica would have computed alone. An ensemble estimate does not shard and goes to the first replica.
 * If any shard fails the others are cancelled and the error is the failing replica's.
 */
export async function estimateAcrossReplicas(request: EstimateRequest, addresses: string[], options: FanOutOptions = {}): Promise<EstimateResult> {
  if (addresses.length === 0) throw new Error('estimateAcrossReplicas: no replica addresses given');
  const deadline = options.deadlineMs === undefined ? undefined : Date.now() + options.deadlineMs;
  const spec = request.spec;
  const shards = spec?.estimator === Estimator.ESTIMATOR_PACKET ? Math.max(1, options.shards ?? addresses.length) : 1;
  // Each shard needs at least one jackknife batch of its own.
  const batches = Math.max(spec?.jackknifeBatches ?? DEFAULT_ESTIMATE_OPTIONS.jackknifeBatches, shards);
  const clients = addresses.slice(0, shards).map((address) => createClient(UncertaintyServiceClient, address, { maxMessageBytes: options.maxMessageBytes, tls: options.tls }));
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    const results = await Promise.all(
      Array.from({ length: shards }, (_, shardIndex) => {
        const client = clients[shardIndex % clients.length];
        const shardRequest: EstimateRequest = shards === 1 ? request : { ...request, spec: { ...spec!, shardIndex, shardCount: shards, jackknifeBatches: batches } };
        return runEstimate(client, shardRequest, deadline, (p) => options.onProgress?.(shardIndex, p), abort.signal).catch((error: unknown) => {
          abort.abort(error);
          throw error;
        });
      }),
    );
    return shards === 1 ? results[0] : mergeEstimateResults(results);
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    for (const client of clients) client.close();
  }
}
