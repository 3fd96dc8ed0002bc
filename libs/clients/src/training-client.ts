import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { TrainingServiceClient, type EmbeddingSnapshot, type Model, type Run, type RunConfig, type RunEvent } from '@conjugate/proto';
import { createClient, type ConnectOptions } from './grpc-client';

export interface TrainingClientOptions {
  /** Deadline of each unary call. Default 60 s. */
  deadlineMs?: number;
  /** Max bytes per message (checkpoints of big models are large). Default 64 MiB. */
  maxMessageBytes?: number;
  /** TLS towards the service (default from the env, see ConnectOptions). */
  tls?: ConnectOptions['tls'];
}

/** The TrainingService as promises and async iterables; errors are grpc-js ServiceErrors (code, details). */
export interface TrainingClient {
  startRun(config: RunConfig): Promise<Run>;
  getRun(runId: string): Promise<Run>;
  listRuns(): Promise<Run[]>;
  stopRun(runId: string): Promise<Run>;
  /** History then live events until the run ends; aborting `signal` cancels the stream. */
  watchRun(runId: string, signal?: AbortSignal): AsyncGenerator<RunEvent>;
  /** epoch < 0: the latest checkpoint. */
  getCheckpoint(runId: string, epoch: number): Promise<Model>;
  /** The run's stored embedding snapshots (Figure 1), by epoch. */
  getEmbeddingSnapshots(runId: string): Promise<EmbeddingSnapshot[]>;
  close(): void;
  /** The generated client, for anything else (e.g. waitForReady). */
  readonly raw: TrainingServiceClient;
}

/** A client for the training-service at host:port. */
export function connectTrainingService(address: string, options: TrainingClientOptions = {}): TrainingClient {
  const raw = createClient(TrainingServiceClient, address, { maxMessageBytes: options.maxMessageBytes, tls: options.tls });
  const callOptions = () => ({ deadline: Date.now() + (options.deadlineMs ?? 60_000) });
  const unary = <Req, Res>(method: (req: Req, md: Metadata, opts: object, cb: (error: ServiceError | null, res: Res) => void) => unknown, request: Req) =>
    new Promise<Res>((resolve, reject) => method.call(raw, request, new Metadata(), callOptions(), (error, response) => (error ? reject(error) : resolve(response))));
  return {
    raw,
    startRun: (config) => unary(raw.startRun, { config }),
    getRun: (runId) => unary(raw.getRun, { runId }),
    listRuns: async () => (await unary(raw.listRuns, {})).runs,
    stopRun: (runId) => unary(raw.stopRun, { runId }),
    getCheckpoint: (runId, epoch) => unary(raw.getCheckpoint, { runId, epoch }),
    getEmbeddingSnapshots: async (runId) => (await unary(raw.getEmbeddingSnapshots, { runId })).snapshots,
    async *watchRun(runId, signal) {
      const call = raw.watchRun({ runId });
      const cancel = () => call.cancel();
      signal?.addEventListener('abort', cancel, { once: true });
      try {
        for await (const event of call as AsyncIterable<RunEvent>) yield event;
      } catch (error) {
        if (signal?.aborted) return;
        throw error;
      } finally {
        signal?.removeEventListener('abort', cancel);
        call.cancel();
      }
    },
    close: () => raw.close(),
  };
}
