import { connectivityState, Metadata, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { createClient, estimateAcrossReplicas, ReplicaPool, resolveAllEndpoints, resolveEndpoints, robustnessAcrossReplicas } from '@conjugate/clients';
import {
  AttackServiceClient, Split, StreamBatchesRequest, UncertaintyServiceClient, type AttackBatchRequest, type AttackBatchResponse, type Batch, type DataServiceClient,
  type EstimateRequest, type EstimateResult, type EvaluateRobustnessRequest, type Progress, type RobustnessResult, type Tensor,
} from '@conjugate/proto';
import { DEFAULT_ESTIMATE_OPTIONS } from '@conjugate/uncertainty';

/** What the evaluator asks of the services; `grpcRemoteServices` is the real thing over gRPC. */
export interface RemoteServices {
  evaluateRobustness(request: EvaluateRobustnessRequest, onProgress: (progress: Progress) => void): Promise<RobustnessResult>;
  /**
   * Sharded over the replicas and merged by the implementation, or with `whole` run on one replica. The
   * estimates of one RemoteServices share its replicas: one call at a time on each, the next shard going
   * to the first replica free.
   */
  estimate(request: EstimateRequest, onProgress: (progress: Progress) => void, options?: { whole?: boolean }): Promise<EstimateResult>;
  attackBatch(request: AttackBatchRequest): Promise<AttackBatchResponse>;
  /** The first `count` images of a dataset's test split in the order of `shuffleSeed`, as one batch. */
  testImages(dataset: string, count: number, shuffleSeed: number): Promise<{ images: Tensor; labels: Tensor }>;
}

export interface GrpcClients {
  attack: AttackServiceClient;
  /** The attack client's target: robust accuracy is sharded over the backends it resolves to (resolveEndpoints). */
  attackTarget: string;
  data: DataServiceClient;
  /** Targets of the uncertainty-service replicas; an estimate is sharded over the backends of those that answer. */
  uncertaintyAddresses: string[];
  /**
   * Shards per robust-accuracy evaluation and per estimate; 0 or unset = one per backend the targets
   * resolve to now (an address, an ipv4: list, or a headless Service name with a pod each).
   */
  attackShards?: number;
  uncertaintyShards?: number;
  /** Deadline per call (default 30 min: a paper-size estimate is long). */
  deadlineMs?: number;
}

/** Whether a channel to `address` connects within `waitMs` (a refused connection answers at once). */
function channelReady(address: string, waitMs: number): Promise<boolean> {
  const client = createClient(UncertaintyServiceClient, address);
  const channel = client.getChannel();
  const deadline = Date.now() + waitMs;
  return new Promise((resolve) => {
    const done = (ready: boolean) => { client.close(); resolve(ready); };
    const check = () => {
      const state = channel.getConnectivityState(true);
      if (state === connectivityState.READY) return done(true);
      if (state === connectivityState.TRANSIENT_FAILURE || state === connectivityState.SHUTDOWN) return done(false);
      channel.watchConnectivityState(state, deadline, (error) => (error ? done(false) : check()));
    };
    check();
  });
}

/** The replicas that accept a connection now (those that are down are left out of the fan-out). */
async function reachable(addresses: string[], waitMs = 3000): Promise<string[]> {
  const ready = await Promise.all(addresses.map((address) => channelReady(address, waitMs)));
  return addresses.filter((_, i) => ready[i]);
}

/** Reads a progress-then-result stream; rejects if it ends without a result. */
async function lastResult<U, R>(stream: ClientReadableStream<U>, pick: (update: U) => { progress?: Progress; result?: R }, onProgress: (p: Progress) => void, what: string): Promise<R> {
  let result: R | undefined;
  for await (const update of stream as AsyncIterable<U>) {
    const { progress, result: value } = pick(update);
    if (progress) onProgress(progress);
    if (value) result = value;
  }
  if (!result) throw new Error(`${what}: the stream ended without a result`);
  return result;
}

export function grpcRemoteServices(clients: GrpcClients): RemoteServices {
  const deadline = () => ({ deadline: Date.now() + (clients.deadlineMs ?? 30 * 60_000) });
  const uncertaintyPool = new ReplicaPool();
  return {
    evaluateRobustness: async (request, onProgress) => {
      // One channel per backend the target resolves to, so that shard i runs on backend i mod n.
      const endpoints = await resolveEndpoints(clients.attackTarget);
      const replicas = endpoints.length === 1 ? [clients.attack] : endpoints.map(({ address, authority }) => createClient(AttackServiceClient, address, { authority }));
      try {
        return await robustnessAcrossReplicas(request, clients.attackShards || endpoints.length, (shardRequest, onShardProgress, signal) => {
          const call = replicas[shardRequest.shardIndex % replicas.length].evaluateRobustness(shardRequest, new Metadata(), deadline());
          signal.addEventListener('abort', () => call.cancel(), { once: true });
          return lastResult(call, (u) => (u.update?.$case === 'progress' ? { progress: u.update.value } : { result: u.update?.value as RobustnessResult | undefined }), onShardProgress, 'EvaluateRobustness');
        }, onProgress);
      } finally {
        if (replicas[0] !== clients.attack) for (const replica of replicas) replica.close();
      }
    },
    estimate: async (request, onProgress, options = {}) => {
      const replicas = await reachable(clients.uncertaintyAddresses);
      if (replicas.length === 0) throw Object.assign(new Error(`uncertainty-service: no replica reachable at ${clients.uncertaintyAddresses.join(', ')}`), { code: 14 });
      const endpoints = await resolveAllEndpoints(replicas);
      const n = endpoints.length;
      // Four shards per replica (within the jackknife batches, so the estimate stays the same): a replica
      // done early takes another shard instead of idling, and the last shards are short. A shard costs no
      // extra passes (its points share them), only its own start.
      const jackknife = request.spec?.jackknifeBatches || DEFAULT_ESTIMATE_OPTIONS.jackknifeBatches;
      const shards = options.whole ? 1 : clients.uncertaintyShards || Math.min(4 * n, jackknife);
      return estimateAcrossReplicas(request, endpoints, {
        shards, pool: uncertaintyPool, deadlineMs: clients.deadlineMs ?? 30 * 60_000,
        onProgress: (_shard, p, replica) => onProgress({ ...p, stage: `${p.stage} (replica ${replica + 1}/${n})` }),
      });
    },
    attackBatch: (request) => new Promise((resolve, reject) => {
      clients.attack.attackBatch(request, new Metadata(), deadline(), (error: ServiceError | null, response: AttackBatchResponse) => (error ? reject(error) : resolve(response)));
    }),
    testImages: async (dataset, count, shuffleSeed) => {
      const batches: Batch[] = [];
      const stream = clients.data.streamBatches(StreamBatchesRequest.fromPartial({ dataset, split: Split.SPLIT_TEST, batchSize: count, shuffleSeed, limit: count }), deadline());
      for await (const batch of stream as AsyncIterable<Batch>) batches.push(batch);
      const batch = batches[0];
      if (batches.length !== 1 || !batch.images || !batch.labels) throw new Error(`data-service: expected one batch of ${count} ${dataset} test images, got ${batches.length} batches`);
      return { images: batch.images, labels: batch.labels };
    },
  };
}
