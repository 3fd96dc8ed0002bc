import type { ClientReadableStream } from '@grpc/grpc-js';
import { Estimator, UncertaintyServiceClient, type EnsemblePoints, type EstimateRequest, type EstimateResult, type EstimateUpdate, type Progress } from '@conjugate/proto';
import { DEFAULT_ESTIMATE_OPTIONS, mergeEnsembleShardStreams, mergeEstimateResults, type EnsembleShardStream } from '@conjugate/uncertainty';
import type { Endpoint } from './endpoints';
import type { ReplicaPool } from './replica-pool';
import { createClient, type ConnectOptions } from './grpc-client';
import { shardsOfBatches } from './shards-of-batches';

export interface FanOutOptions {
  /** Progress of each shard as its replica (the index of its address) streams it. */
  onProgress?: (shardIndex: number, progress: Progress, replica: number) => void;
  /** Deadline for the whole estimate, in ms from now. */
  deadlineMs?: number;
  /** Max bytes per gRPC message (results carry sufficient statistics). Default 64 MiB. */
  maxMessageBytes?: number;
  signal?: AbortSignal;
  /** TLS towards the replicas (default from the env, see ConnectOptions). */
  tls?: ConnectOptions['tls'];
  /**
   * Shards of an estimate (default: one per address). Shard i goes to address i mod n (give each backend
   * of a name as an address of its own, see resolveEndpoints, to put one shard on each), or with `pool`
   * to whichever address is free first.
   */
  shards?: number;
  /** Replicas shared with other estimates: each shard waits for a free one (ReplicaPool). */
  pool?: ReplicaPool;
}

/** Runs one Estimate call to its result (and an ensemble shard's runs of points), forwarding progress; rejects with the replica's status. */
function runEstimate(client: UncertaintyServiceClient, request: EstimateRequest, deadline: number | undefined, onProgress: (p: Progress) => void, signal?: AbortSignal): Promise<EnsembleShardStream> {
  return new Promise((resolve, reject) => {
    const call: ClientReadableStream<EstimateUpdate> = client.estimate(request, deadline === undefined ? {} : { deadline });
    let result: EstimateResult | undefined;
    const runs: EnsemblePoints[] = [];
    const cancel = () => call.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    call.on('data', (update: EstimateUpdate) => {
      if (update.update?.$case === 'progress') onProgress(update.update.value);
      else if (update.update?.$case === 'ensemblePoints') runs.push(update.update.value);
      else if (update.update?.$case === 'result') result = update.update.value;
    });
    call.on('error', (error) => {
      signal?.removeEventListener('abort', cancel);
      reject(error);
    });
    call.on('end', () => {
      signal?.removeEventListener('abort', cancel);
      if (result) resolve({ result, runs });
      else reject(new Error(`${client.getChannel().getTarget()}: Estimate ended without a result`));
    });
  });
}

/** Points of an ensemble estimate when the request says (inline, indices, num_points), else undefined (a whole split). */
function ensemblePointCount(request: EstimateRequest): number | undefined {
  const points = request.points?.points;
  if (points?.$case === 'inline') return points.value.labels?.shape[0];
  if (points?.$case === 'dataset' && points.value.indices.length > 0) return points.value.indices.length;
  return request.spec?.numPoints || undefined;
}

/** Shards an estimate is split into: `wanted`, but an ensemble shard needs a batch of points of its own. */
function shardsFor(request: EstimateRequest, wanted: number): number {
  const spec = request.spec;
  if (spec?.estimator === Estimator.ESTIMATOR_PACKET) return wanted;
  if (spec?.estimator !== Estimator.ESTIMATOR_ENSEMBLE) return 1;
  return shardsOfBatches(wanted, ensemblePointCount(request), spec.batchSize || DEFAULT_ESTIMATE_OPTIONS.batchSize);
}

/**
 * Fans one estimate out over replicas of the uncertainty-service: shard i of n goes to
 * `addresses[i mod addresses]` (or, with a pool, to the first free one), all run concurrently, and the
 * shards merge exactly into the result one replica would have computed alone. A packet shard is a set of jackknife batches with their own random
 * streams, merged by its sufficient statistics; an ensemble shard is a run of whole batches of points
 * whose per-point inputs come back, and the statistics run here over all of them (libs/uncertainty).
 * If any shard fails the others are cancelled and the error is the failing replica's.
 */
export async function estimateAcrossReplicas(request: EstimateRequest, addresses: Array<string | Endpoint>, options: FanOutOptions = {}): Promise<EstimateResult> {
  if (addresses.length === 0) throw new Error('estimateAcrossReplicas: no replica addresses given');
  const deadline = options.deadlineMs === undefined ? undefined : Date.now() + options.deadlineMs;
  const spec = request.spec;
  const shards = shardsFor(request, Math.max(1, options.shards ?? addresses.length));
  const packet = spec?.estimator === Estimator.ESTIMATOR_PACKET;
  // Each packet shard needs at least one jackknife batch of its own.
  const batches = Math.max(spec?.jackknifeBatches ?? DEFAULT_ESTIMATE_OPTIONS.jackknifeBatches, shards);
  const endpoints = addresses.map((target) => (typeof target === 'string' ? { address: target } : target));
  const used = options.pool ? endpoints : endpoints.slice(0, shards);
  const clients = used.map(({ address, authority }) => createClient(UncertaintyServiceClient, address, { maxMessageBytes: options.maxMessageBytes, tls: options.tls, authority }));
  const abort = new AbortController();
  // Shard i on address i mod n, or on the pool's first free address.
  const onReplica = (shardIndex: number, run: (client: UncertaintyServiceClient, replica: number) => Promise<EnsembleShardStream>) => {
    if (!options.pool) return run(clients[shardIndex % clients.length], shardIndex % clients.length);
    return options.pool.run(endpoints, (endpoint) => run(clients[endpoints.indexOf(endpoint)], endpoints.indexOf(endpoint)), abort.signal);
  };
  const onOuterAbort = () => abort.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    const results = await Promise.all(
      Array.from({ length: shards }, (_, shardIndex) => {
        const shardSpec = packet ? { ...spec!, shardIndex, shardCount: shards, jackknifeBatches: batches } : { ...spec!, shardIndex, shardCount: shards };
        const shardRequest: EstimateRequest = shards === 1 ? request : { ...request, spec: shardSpec };
        return onReplica(shardIndex, (client, replica) => runEstimate(client, shardRequest, deadline, (p) => options.onProgress?.(shardIndex, p, replica), abort.signal)).catch((error: unknown) => {
          abort.abort(error);
          throw error;
        });
      }),
    );
    if (shards === 1) return results[0].result;
    return packet ? mergeEstimateResults(results.map((r) => r.result)) : await mergeEnsembleShardStreams(results);
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    for (const client of clients) client.close();
  }
}
