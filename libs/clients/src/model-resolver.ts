import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { LRUCache } from 'lru-cache';
import { fromModelMessage, ModelSpecError, type TrainableClassifier } from '@conjugate/models';
import type { Model, ModelRef, ModelSource, TrainingServiceClient } from '@conjugate/proto';
import { failedPrecondition, invalidArgument, notFound, truncateForMessage } from '@conjugate/service-kit';
import { checkModelSource } from './model-source-limits';

/** Fetches a checkpoint by reference; rejects with the training-service's status (NOT_FOUND for an unknown run or epoch). */
export type CheckpointFetcher = (ref: ModelRef) => Promise<Model>;

/** A model lent to one request: use `classifier`, then call `release()` once (it may be disposed after). */
export interface ResolvedModel {
  classifier: TrainableClassifier;
  /** Provenance: the run and epoch of a checkpoint (for "latest", the epoch actually served). */
  runId: string;
  epoch: number;
  release(): void;
}

export interface ModelResolverOptions {
  /** Where references are fetched from; without it only inline models resolve. */
  fetchCheckpoint?: CheckpointFetcher;
  /** Most checkpoints kept built in memory (least recently used go first). Default 4. */
  maxCachedModels?: number;
}

/** A cached checkpoint and how many requests hold it: an evicted model is disposed when the last one lets go. */
interface CacheEntry {
  classifier: TrainableClassifier;
  runId: string;
  epoch: number;
  users: number;
  evicted: boolean;
}

const keyOf = (runId: string, epoch: number) => `${runId}@${epoch}`;

/** GetCheckpoint on the training-service, with a deadline per call. */
export function checkpointsFromTrainingService(client: TrainingServiceClient, deadlineMs = 60_000): CheckpointFetcher {
  return (ref) =>
    new Promise<Model>((resolve, reject) => {
      client.getCheckpoint({ runId: ref.runId, epoch: ref.epoch }, new Metadata(), { deadline: Date.now() + deadlineMs }, (error: ServiceError | null, model: Model) =>
        error ? reject(error) : resolve(model),
      );
    });
}

/**
 * `ModelSource` → a built Classifier: inline models are built per request; references (run + epoch)
 * are fetched once, kept in a bounded LRU cache shared by all requests, and their tensors disposed
 * when evicted and no request uses them any more. Concurrent requests for one checkpoint share a fetch.
 * Errors are gRPC-ready: INVALID_ARGUMENT / NOT_FOUND naming the field, the training-service's status
 * passed through, FAILED_PRECONDITION when a checkpoint cannot be built or references are not served.
 */
export class ModelResolver {
  private readonly fetchCheckpoint?: CheckpointFetcher;
  private readonly cache: LRUCache<string, CacheEntry, ModelRef>;

  constructor(options: ModelResolverOptions = {}) {
    this.fetchCheckpoint = options.fetchCheckpoint;
    this.cache = new LRUCache<string, CacheEntry, ModelRef>({
      max: options.maxCachedModels ?? 4,
      dispose: (entry) => {
        entry.evicted = true;
        if (entry.users === 0) entry.classifier.dispose();
      },
      fetchMethod: async (_key, _stale, { context }) => this.load(context),
    });
  }

  async resolve(source: ModelSource | undefined): Promise<ResolvedModel> {
    const chosen = source?.source;
    if (!chosen) throw invalidArgument('model: required (a reference or an inline model)');
    checkModelSource(source);
    if (chosen.$case === 'inline') {
      const classifier = buildInline(chosen.value);
      return { classifier, runId: chosen.value.runId, epoch: chosen.value.epoch, release: once(() => classifier.dispose()) };
    }
    const ref = chosen.value;
    if (!ref.runId) throw invalidArgument('model.ref.run_id: required');
    if (ref.epoch < 0) return this.lend(await this.latest(ref));
    for (;;) {
      const entry = await this.cache.fetch(keyOf(ref.runId, ref.epoch), { context: ref });
      if (!entry) throw notFound(`model.ref: no checkpoint for run "${truncateForMessage(ref.runId)}" epoch ${ref.epoch}`);
      // Another request may have evicted (and disposed) it between the fetch and now: fetch again.
      if (!entry.evicted) return this.lend(entry);
    }
  }

  /** Models currently cached (for tests and metrics). */
  get cachedCount(): number {
    return this.cache.size;
  }

  /** Drops every cached model (each disposed once no request holds it). */
  clear(): void {
    this.cache.clear();
  }

  // "Latest" changes as training goes on: always ask, then share the cache entry of the epoch served.
  private async latest(ref: ModelRef): Promise<CacheEntry> {
    const entry = await this.load(ref);
    const key = keyOf(entry.runId, entry.epoch);
    const cached = this.cache.get(key);
    if (cached) {
      entry.classifier.dispose();
      return cached;
    }
    this.cache.set(key, entry);
    return entry;
  }

  private async load(ref: ModelRef): Promise<CacheEntry> {
    if (!this.fetchCheckpoint) throw failedPrecondition('model.ref: this service has no training-service to fetch checkpoints from; send the model inline');
    const message = await this.fetchCheckpoint(ref);
    const classifier = buildCheckpoint(message, ref);
    return { classifier, runId: message.runId || ref.runId, epoch: message.epoch, users: 0, evicted: false };
  }

  private lend(entry: CacheEntry): ResolvedModel {
    entry.users++;
    return {
      classifier: entry.classifier,
      runId: entry.runId,
      epoch: entry.epoch,
      release: once(() => {
        entry.users--;
        if (entry.evicted && entry.users === 0) entry.classifier.dispose();
      }),
    };
  }
}

// A bad inline model is the caller's mistake (INVALID_ARGUMENT, or NOT_FOUND for an unknown
// architecture or layer); a checkpoint that cannot be built is the training-service's (FAILED_PRECONDITION).
function buildInline(message: Model): TrainableClassifier {
  try {
    return fromModelMessage(message);
  } catch (error) {
    if (!(error instanceof ModelSpecError)) throw error;
    const text = `model.inline.${fieldOfModel(error.field)}: ${error.detail}`;
    throw error.kind === 'not-found' ? notFound(text) : invalidArgument(text);
  }
}

function buildCheckpoint(message: Model, ref: ModelRef): TrainableClassifier {
  try {
    return fromModelMessage(message);
  } catch (error) {
    if (!(error instanceof ModelSpecError)) throw error;
    throw failedPrecondition(`model.ref: the checkpoint of run "${truncateForMessage(ref.runId)}" epoch ${message.epoch} cannot be built (${fieldOfModel(error.field)}: ${error.detail})`);
  }
}

// ModelSpecError fields are relative to the Model message ("spec", "weights[…]") or to its ModelSpec.
function fieldOfModel(field: string): string {
  return field === 'spec' || field.startsWith('weights') ? field : `spec.${field}`;
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
