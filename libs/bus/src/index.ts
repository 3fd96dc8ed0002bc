// Run events, typed: NATS JetStream or in memory; and a launcher for a local nats-server.
export * from './event-bus';
export * from './subjects';
export type { Subscription } from './subscription';
export { runIdOf } from './payloads';
export { createMemoryBus } from './memory-bus';
export { connectNatsBus, type NatsBusOptions } from './nats-bus';
export { startNatsServer, writeNatsAuthorizationConfig, type NatsAuthorization, type NatsServerHandle, type NatsServerOptions } from './nats-server-process';
export { natsAuthOptions, natsCredentialsFromEnv, type NatsCredentials } from './nats-credentials';
