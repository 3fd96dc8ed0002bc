import type { ServiceProcess } from '@conjugate/service-kit';

/** Calls of `method` this replica completed with status OK, from its Prometheus endpoint (started with METRICS_PORT 0). */
export async function handledCalls(service: ServiceProcess, method: string): Promise<number> {
  if (service.metricsPort === undefined) throw new Error(`${service.app} serves no metrics: start it with METRICS_PORT`);
  const response = await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`);
  const text = await response.text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('grpc_server_handled_total{') && line.includes(`grpc_method="${method}"`) && line.includes('grpc_code="OK"')) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}
