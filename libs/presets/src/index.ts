export { PRESETS, PAPER_ATTACK, FIGURE1_ATTACK, presetConfig, UnknownPresetError, type Preset } from './presets';
