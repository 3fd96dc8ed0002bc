import { runFigure } from './run-figures';

describe('runFigure', () => {
  it('names the figures there are when asked for another (the name cut short)', async () => {
    const answer = await runFigure(undefined, 'r', 'x'.repeat(10_000));
    expect(answer).toMatchObject({ status: 404 });
    expect('error' in answer && answer.error.length).toBeLessThan(200);
    expect('error' in answer && answer.error).toContain('figure1-a');
  });

  it('says why without a training-service', async () => {
    expect(await runFigure(undefined, 'r', 'figure1')).toEqual({ status: 503, error: expect.stringContaining('TRAINING_SERVICE_ADDRESS') });
  });
});
