import { FaroCollector } from './faro-collector';

describe('FaroCollector', () => {
  it('counts items of each kind, custom event names and measurement types', () => {
    const collector = new FaroCollector();
    collector.accept({ meta: {}, events: [{ name: 'run_selected' }], measurements: [{ type: 'chart_render' }, { type: 'web-vitals' }], logs: [{}] });
    collector.accept({ exceptions: [{}], events: [{ name: 'run_selected' }] });
    expect(collector.counts).toEqual({
      payloads: 2,
      logs: 1,
      events: 2,
      exceptions: 1,
      measurements: 2,
      eventNames: { run_selected: 2 },
      measurementTypes: { chart_render: 1, 'web-vitals': 1 },
    });
  });

  it('rejects what is not a Faro payload, naming the field', () => {
    const collector = new FaroCollector();
    expect(() => collector.accept('hello')).toThrow('body must be a Faro payload object');
    expect(() => collector.accept({ events: 'x' })).toThrow('events must be an array');
    expect(collector.counts.payloads).toBe(0);
  });
});
