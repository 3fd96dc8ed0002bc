import { join } from 'node:path';
import { CliError } from './cli-error';
import { runConfigFrom } from './run-config';

const MODEL = join(__dirname, '../../../examples/python/fixtures/small-cnn/model.json');

it('`run --model-file` trains the model file\'s topology, with the preset\'s seed', () => {
  const config = runConfigFrom('quick', { modelFile: MODEL, featureLayer: 'flatten' });
  expect(config.model).toMatchObject({ architecture: 'layers', featureLayer: 'flatten', inputShape: [], numClasses: 0, seed: runConfigFrom('quick', {}).model!.seed });
  expect(JSON.parse(config.model!.layers!.modelTopologyJson).class_name).toBe('Sequential');
});

it('refuses --model with --model-file, and the model-file flags without it', () => {
  expect(() => runConfigFrom('quick', { modelFile: MODEL, model: 'cnn3' })).toThrow(new CliError('give --model or --model-file, not both'));
  expect(() => runConfigFrom('quick', { featureLayer: 'x' })).toThrow(/go with --model-file/);
});
