import { serveMetrics, ServiceMetrics } from './metrics';

describe('ServiceMetrics tensor memory', () => {
  it('exports the tensors and bytes read at scrape time', async () => {
    let memory = { numTensors: 3, numBytes: 1200 };
    const metrics = new ServiceMetrics('tensor-test', () => memory);
    const served = await serveMetrics(metrics.registry, 0, '127.0.0.1');
    try {
      const scrape = async () => (await (await fetch(`http://127.0.0.1:${served.port}/metrics`)).text()).split('\n');
      expect(await scrape()).toEqual(expect.arrayContaining(['conjugate_tfjs_tensors{app="tensor-test"} 3', 'conjugate_tfjs_bytes{app="tensor-test"} 1200']));
      memory = { numTensors: 0, numBytes: 0 };
      expect(await scrape()).toEqual(expect.arrayContaining(['conjugate_tfjs_tensors{app="tensor-test"} 0', 'conjugate_tfjs_bytes{app="tensor-test"} 0']));
    } finally {
      await served.close();
    }
  });

  it('exports no tensor gauges for a service without TensorFlow.js', async () => {
    const text = await new ServiceMetrics('no-tensors').registry.metrics();
    expect(text).not.toContain('conjugate_tfjs_');
    expect(text).toContain('process_resident_memory_bytes');
  });
});
