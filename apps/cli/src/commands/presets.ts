import { PRESETS } from '@conjugate/presets';
import { RunConfig } from '@conjugate/proto';
import type { Output } from '../output';

/** `conjugate presets`: the named run configs `run --preset` accepts. */
export function listPresets(output: Output): void {
  output.result(PRESETS.map((p) => ({ name: p.name, description: p.description, config: RunConfig.toJSON(p.config) })),
    () => PRESETS.map((p) => `${p.name.padEnd(22)} ${p.description}`).join('\n'));
}
