// Run events, typed: NATS JetStream or in memory. The nats-server test helper is at '@conjugate/bus/testing'.
export * from './event-bus';
export * from './subjects';
export type { Subscription } from './subscription';
export { runIdOf } from './payloads';
export { createMemoryBus } from './memory-bus';
export { connectNatsBus, type NatsBusOptions } from './nats-bus';
