// One way to start a gRPC service in conjugate: see startGrpcService.
export * from './child-spawn';
export * from './config';
export * from './errors';
export * from './handlers';
export * from './logger';
export * from './metrics';
export * from './pid-lock';
export * from './probes';
export * from './protoDir';
export * from './server';
export * from './service-process';
export * from './signals';
export * from './stalling-proxy';
export * from './tls-credentials';
export * from './test-certificates';
export * from './supervisor';
