// The EventBus over NATS: stored kinds go through JetStream (stream CONJUGATE_RUNS, see subjects.ts),
// progress through core NATS. Subscriptions use ordered consumers, which resume from the last delivered
// sequence after a reconnect; the connection itself reconnects forever.
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@nats-io/transport-node';
import type { Msg, NatsConnection } from '@nats-io/nats-core';
import {
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JetStreamManager,
  type OrderedConsumerOptions,
  type StreamConfig,
  StorageType,
} from '@nats-io/jetstream';

import { EmbeddingEvent, EpochEvent, ProgressEvent, RunStatusEvent } from '@conjugate/proto';
import type { EventBus, SubscribeOptions } from './event-bus';
import { openSubscription, type Subscription } from './subscription';
import { decodePayload, embeddingMessageId, epochMessageId, statusMessageId } from './payloads';
import { natsAuthOptions, natsCredentialsFromEnv, type NatsCredentials } from './nats-credentials';
import { parseSubject, progressFilter, runSubject, storedFilter, STREAM_NAME, STREAM_SUBJECTS, type StoredKind } from './subjects';

export interface NatsBusOptions {
  /** e.g. nats://127.0.0.1:4222 (several comma-separated servers allowed). */
  url: string;
  /** Connection name shown by the server. */
  name?: string;
  /** Keep trying while the server is not up yet instead of failing at once. */
  waitOnFirstConnect?: boolean;
  /** How long JetStream remembers message ids for dedupe. Default one hour. */
  duplicateWindowMs?: number;
  /** How long a stored publish waits for the server's ack. Default 5 s. */
  publishTimeoutMs?: number;
  /** Called for a message that cannot be decoded (it is skipped). Default: a process warning. */
  onInvalidMessage?: (error: Error) => void;
  /** Who this process is to NATS; default from the env (NATS_USER/NATS_PASSWORD, NATS_TOKEN, NATS_CREDS_FILE); false: none. */
  credentials?: NatsCredentials | false;
}

const ONE_HOUR_MS = 60 * 60 * 1000;

export async function connectNatsBus(options: NatsBusOptions): Promise<EventBus> {
  // Typed through nats-core: transport-node's own type re-exports need the `exports` map this repo's TS ignores.
  const nc: NatsConnection = await connect({
    servers: options.url.split(',').map((server) => server.trim()),
    name: options.name ?? 'conjugate-bus',
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: options.waitOnFirstConnect ?? false,
    ...natsAuthOptions(options.credentials === false ? undefined : (options.credentials ?? natsCredentialsFromEnv())),
  }).catch((error: Error) => {
    throw new Error(`cannot connect to NATS at ${options.url}: ${error.message}`, { cause: error });
  });
  const streamConfig = {
    name: STREAM_NAME,
    subjects: STREAM_SUBJECTS,
    storage: StorageType.File,
    duplicate_window: (options.duplicateWindowMs ?? ONE_HOUR_MS) * 1_000_000, // nanoseconds
  };
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, streamConfig);
  const publishTimeoutMs = options.publishTimeoutMs ?? 5000;
  const js = jetstream(nc, { timeout: publishTimeoutMs });
  const onInvalidMessage = options.onInvalidMessage ?? ((error: Error) => process.emitWarning(error));
  const openSubscriptions = new Set<Subscription>();

  // While disconnected, stored publishes wait for the connection (and the stream) to be back instead of
  // being sent into a reconnect and timing out. A server that comes back with an empty store has no
  // stream: recreate it before letting them through.
  let backOnline: Promise<void> | undefined;
  let markBackOnline = () => {};
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' && !backOnline) {
        backOnline = new Promise((resolve) => (markBackOnline = resolve));
      } else if (status.type === 'reconnect') {
        await ensureStream(jsm, streamConfig).catch(onInvalidMessage);
        backOnline = undefined;
        markBackOnline();
      }
    }
    markBackOnline(); // closed: let waiting publishes fail with the closed-connection error
  })();

  // async: a bad run id becomes a rejected promise, like every other publish failure.
  async function publishStored(kind: StoredKind, runId: string, encode: () => Uint8Array, messageId: () => string) {
    const subject = runSubject(runId, kind);
    if (backOnline) await Promise.race([backOnline, sleep(publishTimeoutMs, undefined, { ref: false })]);
    await js.publish(subject, encode(), { msgID: messageId() });
  }

  function subscribe({ runId, replay, afterSeq, signal }: SubscribeOptions): Subscription {
    const progressSubject = progressFilter(runId);
    const consumerOptions: Partial<OrderedConsumerOptions> = {
      filter_subjects: storedFilter(runId),
      ...(afterSeq !== undefined
        ? { opt_start_seq: afterSeq + 1 }
        : { deliver_policy: replay ? DeliverPolicy.All : DeliverPolicy.New }),
    };
    const subscription = openSubscription(signal, async (sink) => {
      const receive = (subject: string, data: Uint8Array, seq: number) => {
        try {
          sink.push({ seq, event: decodePayload(parseSubject(subject).kind, data) });
        } catch (error) {
          onInvalidMessage(new Error(`skipping message ${seq} on ${subject}: ${(error as Error).message}`));
        }
      };
      const progress = nc.subscribe(progressSubject, {
        callback: (error: Error | null, msg: Msg) => (error ? sink.fail(error) : receive(msg.subject, msg.data, 0)),
      });
      try {
        const consumer = await js.consumers.get(STREAM_NAME, consumerOptions);
        const stored = await consumer.consume({ callback: (msg) => receive(msg.subject, msg.data, msg.seq) });
        void stored.closed().then((error) => error && sink.fail(error));
        return async () => {
          openSubscriptions.delete(subscription);
          progress.unsubscribe();
          await stored.close();
        };
      } catch (error) {
        progress.unsubscribe();
        throw error;
      }
    });
    openSubscriptions.add(subscription);
    return subscription;
  }

  return {
    publishStatus: (event) => publishStored('status', event.runId, () => RunStatusEvent.encode(event).finish(), () => statusMessageId(event)),
    publishEpoch: (event) => publishStored('epoch', event.runId, () => EpochEvent.encode(event).finish(), () => epochMessageId(event)),
    publishEmbedding: (event) =>
      publishStored('embedding', event.runId, () => EmbeddingEvent.encode(event).finish(), () => embeddingMessageId(event)),
    async publishProgress(event) {
      nc.publish(runSubject(event.runId, 'progress'), ProgressEvent.encode(event).finish());
    },
    subscribe,
    async close() {
      for (const subscription of openSubscriptions) subscription.close();
      if (nc.isClosed()) return;
      await nc.flush().catch(() => undefined);
      await nc.close();
    },
  };
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.add(config);
  } catch {
    // It exists with other settings (an older layout, another duplicate window): bring it to ours.
    await jsm.streams.update(config.name, config);
  }
}
