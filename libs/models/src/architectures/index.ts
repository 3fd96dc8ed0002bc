import type { Architecture } from '../network';
import { cnn3 } from './cnn3';
import { cnn4 } from './cnn4';
import { linear } from './linear';
import { resnet8 } from './resnet8';
import { tiny } from './tiny';

/** Every architecture by name. */
export const architectures: ReadonlyMap<string, Architecture> = new Map(
  [tiny, linear, cnn3, cnn4, resnet8].map((a) => [a.name, a]),
);
