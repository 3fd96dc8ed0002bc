import { z } from 'zod';
import { envBool, envInt, envOptionalString, envString, grpcServiceEnv, grpcServiceOptionsFromEnv, loadConfig } from './config';

describe('loadConfig', () => {
  const schema = grpcServiceEnv({ port: 50051, metricsPort: 9464 }).extend({ MAX_BATCH: envInt(1024, 1), CACHE: envBool(true) });

  it('applies defaults for unset and empty variables', () => {
    const config = loadConfig(schema, { PORT: '', LOG_LEVEL: 'debug' });
    expect(config).toMatchObject({ HOST: '0.0.0.0', PORT: 50051, METRICS_PORT: 9464, MAX_BATCH: 1024, CACHE: true, LOG_LEVEL: 'debug' });
    expect(grpcServiceOptionsFromEnv(config)).toMatchObject({ port: 50051, metricsPort: 9464, maxMessageBytes: 64 * 1024 * 1024 });
  });

  it('parses numbers and booleans, and -1 disables metrics', () => {
    const config = loadConfig(schema, { PORT: '0', METRICS_PORT: '-1', MAX_BATCH: '16', CACHE: 'no' });
    expect(config).toMatchObject({ PORT: 0, MAX_BATCH: 16, CACHE: false });
    expect(grpcServiceOptionsFromEnv(config).metricsPort).toBeUndefined();
  });

  it('names every bad variable and its value in one error', () => {
    expect(() => loadConfig(schema, { PORT: '70000', MAX_BATCH: 'many', LOG_LEVEL: 'loud' })).toThrow(
      /Invalid configuration:\n {2}PORT: .*\(got "70000"\)\n {2}LOG_LEVEL: .*\(got "loud"\)\n {2}MAX_BATCH: .*\(got "many"\)/,
    );
  });

  it('reads strings: empty is unset, so the default applies or the value is missing', () => {
    const strings = z.object({ DIR: envString('./runs'), URL: envOptionalString() });
    expect(loadConfig(strings, { DIR: '', URL: '' })).toEqual({ DIR: './runs', URL: undefined });
    expect(loadConfig(strings, { DIR: '/data', URL: 'nats://h:4222' })).toEqual({ DIR: '/data', URL: 'nats://h:4222' });
  });

  it('reports a missing required variable', () => {
    expect(() => loadConfig(z.object({ NATS_URL: z.string() }), {})).toThrow(/NATS_URL: /);
  });
});
