import { runConfigFrom } from './run-config';

describe('runConfigFrom', () => {
  it("applies the flags to the preset's config", () => {
    const config = runConfigFrom('quick', { epochs: 1, trainLimit: 600, packetSamples: 16, model: 'tiny' });
    expect([config.epochs, config.trainLimit, config.evaluation?.packet?.numSamples, config.model?.architecture, config.dataset]).toEqual([1, 600, 16, 'tiny', 'mnist']);
  });

  it('keeps an embedding snapshot when fewer epochs leave the preset’s snapshot epochs behind', () => {
    expect(runConfigFrom('paper-mnist-cnn3', { epochs: 1 }).evaluation?.embeddingEpochs).toEqual([1, 21, 41].filter((e) => e <= 1));
    expect(runConfigFrom('tiny', { epochs: 1 }).evaluation?.embeddingEpochs).toEqual([1]);
  });

  it('says which presets exist for an unknown one, with the not-found exit code', () => {
    expect(() => runConfigFrom('fast', {})).toThrow(expect.objectContaining({ exitCode: 4, message: expect.stringContaining('known: quick') }));
  });
});
