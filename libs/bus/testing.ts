// Secondary entry point '@conjugate/bus/testing' (test helpers only).
export * from './src/testing';
