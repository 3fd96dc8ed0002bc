// A small Faro receiver for development and tests: it accepts what @grafana/faro-web-sdk's fetch
// transport posts, logs a line per payload and counts what arrived, so the page's instrumentation is
// checked end to end without a Grafana Alloy.

export interface FaroCounts {
  payloads: number;
  logs: number;
  events: number;
  exceptions: number;
  measurements: number;
  /** Names of custom events seen (e.g. "run_selected"), with counts. */
  eventNames: Record<string, number>;
  /** Types of measurements seen (e.g. "web-vitals", "chart_render"), with counts. */
  measurementTypes: Record<string, number>;
}

interface FaroPayload {
  logs?: unknown[];
  events?: { name?: unknown }[];
  exceptions?: unknown[];
  measurements?: { type?: unknown }[];
}

export class FaroCollector {
  readonly counts: FaroCounts = {
    payloads: 0,
    logs: 0,
    events: 0,
    exceptions: 0,
    measurements: 0,
    eventNames: {},
    measurementTypes: {},
  };

  /** Counts one payload; throws a message naming the problem when it is not a Faro payload. */
  accept(body: unknown): FaroCounts {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new Error('body must be a Faro payload object (with meta, logs, events, exceptions, measurements)');
    }
    const payload = body as FaroPayload;
    for (const field of ['logs', 'events', 'exceptions', 'measurements'] as const) {
      if (payload[field] !== undefined && !Array.isArray(payload[field])) throw new Error(`${field} must be an array`);
    }
    this.counts.payloads += 1;
    this.counts.logs += payload.logs?.length ?? 0;
    this.counts.exceptions += payload.exceptions?.length ?? 0;
    for (const event of payload.events ?? []) {
      this.counts.events += 1;
      tally(this.counts.eventNames, event?.name);
    }
    for (const measurement of payload.measurements ?? []) {
      this.counts.measurements += 1;
      tally(this.counts.measurementTypes, measurement?.type);
    }
    return this.counts;
  }
}

function tally(counts: Record<string, number>, key: unknown): void {
  const name = typeof key === 'string' ? key.slice(0, 100) : '(unnamed)';
  counts[name] = (counts[name] ?? 0) + 1;
}
