import { metricsCsv, metricsJson } from './tables';
import { testRun } from './test-run';

describe('metrics.csv and metrics.json', () => {
  it('writes a header and one line per epoch, empty cells and a reason where a value is missing', () => {
    const lines = metricsCsv(testRun()).trim().split('\n');
    expect(lines).toHaveLength(4);
    const header = lines[0].split(',');
    const epoch2 = lines[3].split(',');
    expect(epoch2[header.indexOf('robust_feature_accuracy')]).toBe('');
    expect(Number(epoch2[header.indexOf('robust_pixel_accuracy')])).toBeCloseTo(0.5);
    expect(lines[3]).toContain('robust_feature_accuracy: attack-service unavailable after 3 tries');
  });

  it('writes JSON with the config and null for missing numbers', () => {
    const json = JSON.parse(metricsJson(testRun()));
    expect(json.run_id).toBe('run-test');
    expect(json.state).toBe('RUN_STATE_COMPLETED');
    expect(json.config.dataset).toBe('mnist');
    expect(json.epochs[2].robust_feature_accuracy).toBeNull();
    expect(json.epochs[2].test_accuracy).toBeCloseTo(0.9);
  });
});
