// One way to start a gRPC service in conjugate: see startGrpcService.
export * from './config';
export * from './errors';
export * from './field-checks';
export * from './handlers';
export * from './logger';
export * from './metrics';
export * from './probes';
export * from './protoDir';
export * from './request-decoding';
export * from './server';
export * from './service-process';
export * from './signals';
export * from './stalling-proxy';
export * from './fuzz-requests';
