import { DType, Run, RunEvent, RunState, Space, Tensor } from './index';

describe('generated contract', () => {
  it('round-trips a tensor through the wire format byte for byte', () => {
    const data = Buffer.from(new Float32Array([1.5, -2, 3.25]).buffer);
    const bytes = Tensor.encode({ dtype: DType.DTYPE_FLOAT32, shape: [3], data }).finish();
    const back = Tensor.decode(bytes);
    expect(back.dtype).toBe(DType.DTYPE_FLOAT32);
    expect(back.shape).toEqual([3]);
    expect(Buffer.compare(Buffer.from(back.data), data)).toBe(0);
  });

  it('encodes oneof events as tagged unions', () => {
    const event: RunEvent = { event: { $case: 'status', value: { runId: 'r1', state: RunState.RUN_STATE_RUNNING, reason: '', atMs: 5 } } };
    const back = RunEvent.decode(RunEvent.encode(event).finish());
    expect(back.event?.$case).toBe('status');
    expect(back.event?.value).toMatchObject({ runId: 'r1', state: RunState.RUN_STATE_RUNNING, atMs: 5 });
  });

  it('keeps enum values stable', () => {
    expect(Space.SPACE_FEATURE).toBe(2);
    expect(Run.fromPartial({}).epochsDone).toBe(0);
  });
});
