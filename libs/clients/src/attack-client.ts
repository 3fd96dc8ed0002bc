import {
  AttackServiceClient,
  type AttackBatchRequest,
  type AttackBatchResponse,
  type EvaluateRobustnessRequest,
  type Progress,
  type RobustnessResult,
} from '@conjugate/proto';
import { createClient, serverStream, unaryCall, type CallSettings, type ConnectOptions } from './grpc-client';

export interface EvaluateSettings extends CallSettings {
  /** Each progress message as the service streams it. */
  onProgress?: (progress: Progress) => void;
}

/** The AttackService as promises; errors are grpc-js ServiceErrors (code, details). */
export interface AttackClient {
  /** Default deadline 10 minutes (a large PGD batch on the wasm backend takes a while). */
  attackBatch(request: AttackBatchRequest, settings?: CallSettings): Promise<AttackBatchResponse>;
  /** Runs EvaluateRobustness to its result, forwarding progress; aborting `settings.signal` cancels it. */
  evaluateRobustness(request: EvaluateRobustnessRequest, settings?: EvaluateSettings): Promise<RobustnessResult>;
  close(): void;
  /** The generated client, for anything else (e.g. waitForReady). */
  readonly raw: AttackServiceClient;
}

/** A client for the attack-service at host:port. */
export function connectAttackService(address: string, options: ConnectOptions = {}): AttackClient {
  const raw = createClient(AttackServiceClient, address, options);
  return {
    raw,
    attackBatch: (request, settings = {}) => unaryCall(raw, raw.attackBatch, request, { deadlineMs: 600_000, ...settings }),
    async evaluateRobustness(request, settings = {}) {
      const updates = serverStream((callOptions) => raw.evaluateRobustness(request, settings.metadata, callOptions), settings);
      let result: RobustnessResult | undefined;
      // Read to the end of the stream (not just the result) so the call finishes OK on both sides.
      for await (const { update } of updates) {
        if (update?.$case === 'progress') settings.onProgress?.(update.value);
        else if (update?.$case === 'result') result = update.value;
      }
      if (!result) throw new Error(`${address}: EvaluateRobustness ended without a result`);
      return result;
    },
    close: () => raw.close(),
  };
}
