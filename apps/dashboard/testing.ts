// Secondary entry point '@conjugate/dashboard/testing': realistic run events for tests and benchmarks.
export * from './src/sample-events';
