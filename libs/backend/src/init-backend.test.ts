import type * as Backend from './init-backend';

// Each scenario loads a fresh copy of the module, since the choice is cached per process.
function freshInitBackend(): typeof Backend.initBackend {
  let loaded: typeof Backend | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require('./init-backend');
  });
  return loaded!.initBackend;
}

const originalEnv = process.env.CONJUGATE_BACKEND;
afterEach(() => {
  if (originalEnv === undefined) delete process.env.CONJUGATE_BACKEND;
  else process.env.CONJUGATE_BACKEND = originalEnv;
  jest.restoreAllMocks();
});

test('without an override, picks tfjs-node or says loudly why it fell back', async () => {
  delete process.env.CONJUGATE_BACKEND;
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  const info = await freshInitBackend()();
  if (info.name === 'node') {
    expect(info.fallbackReasons).toEqual([]);
  } else {
    expect(info.fallbackReasons[0]).toMatch(/^node: /);
    expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/FALLBACK/);
  }
  expect(info.forced).toBe(false);
});

test('CONJUGATE_BACKEND forces a backend, and the choice is made and logged once', async () => {
  process.env.CONJUGATE_BACKEND = 'cpu';
  const log = jest.spyOn(console, 'info').mockImplementation(() => undefined);
  const initBackend = freshInitBackend();
  const first = await initBackend();
  const second = await initBackend();
  expect(first).toEqual({ name: 'cpu', tfBackend: 'cpu', forced: true, fallbackReasons: [], threads: 1, kernelThreads: 1 });
  expect(second).toBe(first);
  expect(log).toHaveBeenCalledTimes(1);
  expect(String(log.mock.calls[0][0])).toMatch(/backend: cpu .*forced by CONJUGATE_BACKEND/);
});

test('after someone switches tf backends, initBackend switches back to the chosen one', async () => {
  process.env.CONJUGATE_BACKEND = 'wasm';
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  const initBackend = freshInitBackend();
  await initBackend();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tf = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
  await tf.setBackend('cpu');
  expect((await initBackend()).tfBackend).toBe('wasm');
  expect(tf.getBackend()).toBe('wasm');
});

test('an unknown CONJUGATE_BACKEND is a clear error naming the variable and the choices', async () => {
  process.env.CONJUGATE_BACKEND = 'gpu';
  await expect(freshInitBackend()()).rejects.toThrow('CONJUGATE_BACKEND must be one of node, wasm, cpu; got "gpu"');
});

test('forcing a backend that cannot load fails instead of silently falling back', async () => {
  process.env.CONJUGATE_BACKEND = 'node';
  let nodeLoads = true;
  try {
    require.resolve('@tensorflow/tfjs-node');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-node');
  } catch {
    nodeLoads = false;
  }
  if (nodeLoads) return; // nothing to prove where native TensorFlow works
  await expect(freshInitBackend()()).rejects.toThrow(/^CONJUGATE_BACKEND=node but it cannot run: /);
});
