import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Structured JSON logs (one object per line on stdout unless a destination is given). */
export function createLogger(
  name: string,
  options: { level?: string; destination?: DestinationStream } = {},
): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const settings = { name, level, base: { service: name } };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
