// Grafana Faro in the page: errors, web vitals, console, and our own events (run selected, chart render
// time), sent to the collector the server names in /api/config. Telemetry never breaks the page.
import { getWebInstrumentations, initializeFaro, type Faro } from '@grafana/faro-web-sdk';
import type { PageConfig } from '../view/events';

export interface Telemetry {
  runSelected(runId: string): void;
  chartRendered(milliseconds: number, epochs: number): void;
}

export function startTelemetry(config: PageConfig): Telemetry {
  let faro: Faro | undefined;
  try {
    faro = initializeFaro({
      url: new URL(config.faroUrl, window.location.href).href,
      app: { name: config.appName, version: config.appVersion },
      instrumentations: getWebInstrumentations({ captureConsole: true }),
    });
  } catch (error) {
    console.warn('Faro did not start; the dashboard works without it', error);
  }
  return {
    runSelected: (runId) => faro?.api.pushEvent('run_selected', { runId }),
    chartRendered: (milliseconds, epochs) =>
      faro?.api.pushMeasurement({ type: 'chart_render', values: { milliseconds, epochs } }),
  };
}
