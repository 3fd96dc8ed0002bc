import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { epochRow } from '@conjugate/report';
import { RunEvent, RunState, runStateToJSON, type EpochMetrics, type RunStatusEvent } from '@conjugate/proto';
import { epochTableRow } from './epoch-table';
import type { Output } from './output';

export interface FollowResult {
  finalState: RunState;
  reason: string;
  epochs: EpochMetrics[];
}

const FINAL = new Set([RunState.RUN_STATE_COMPLETED, RunState.RUN_STATE_FAILED, RunState.RUN_STATE_STOPPED]);
const stateName = (state: RunState) => runStateToJSON(state).replace('RUN_STATE_', '').toLowerCase();

/**
 * Shows a run's events as they come: a progress bar for the training and one for the current evaluation
 * step (the evaluation of epoch N runs while epoch N+1 trains), a table row per finished epoch. With --json: one RunEvent per line (NDJSON).
 * Returns when the run reaches a final state (or the stream ends). `epochs` carries what an earlier
 * stream of the same run already showed: after a reconnect the history is replayed, and an epoch
 * already shown is skipped, so each is printed once.
 */
export async function followRun(events: AsyncIterable<RunEvent>, output: Output, epochs: EpochMetrics[] = []): Promise<FollowResult> {
  const interactive = !output.json && process.stdout.isTTY === true;
  const bars = interactive ? new MultiBar({ format: ' {stage} |{bar}| {value}/{total} {unit} {rate}', hideCursor: true, clearOnComplete: true, stopOnComplete: false }, Presets.shades_classic) : undefined;
  const active = new Map<string, SingleBar>();
  const clearBars = () => { for (const bar of active.values()) bars?.remove(bar); active.clear(); };
  const log = (text: string) => (bars ? bars.log(text + '\n') : output.info(text));
  let last: RunStatusEvent | undefined;
  // Without a terminal: one line per step and slot (training and evaluation overlap), however many replicas report.
  const printedStep = new Map<string, string>();
  try {
    for await (const event of events) {
      const shown = event.event?.$case === 'epoch' ? event.event.value.metrics?.epoch : undefined;
      if (shown !== undefined && epochs.some((seen) => seen.epoch === shown)) continue;
      if (output.json) process.stdout.write(JSON.stringify(RunEvent.toJSON(event)) + '\n');
      const e = event.event;
      if (!e) continue;
      if (e.$case === 'status') {
        const repeated = last?.state === e.value.state;
        last = e.value;
        // A finished run's history starts with its final status: keep reading (the epochs follow, then
        // the server ends the stream); the caller says how it ended.
        if (!output.json && !repeated && !FINAL.has(e.value.state)) log(`run ${e.value.runId}: ${stateName(e.value.state)}`);
      } else if (e.$case === 'epoch' && e.value.metrics) {
        epochs.push(e.value.metrics);
        // The evaluation of this epoch is over; the next epoch's training bar (if it runs already) stays.
        const evaluationBar = active.get('evaluation');
        if (evaluationBar) { bars?.remove(evaluationBar); active.delete('evaluation'); }
        if (!output.json) log(epochTableRow(epochRow(e.value.metrics), epochs.length === 1));
      } else if (e.$case === 'progress' && e.value.progress) {
        const p = e.value.progress;
        // One bar for training, one for the evaluation step in progress.
        const slot = p.stage.startsWith('train') ? 'train' : 'evaluation';
        const label = `epoch ${e.value.epoch} ${p.stage}`.padEnd(28);
        const payload = { stage: label, unit: p.unit, rate: p.ratePerSecond ? `${p.ratePerSecond.toFixed(1)} ${p.unit}/s` : '' };
        if (bars) {
          let bar = active.get(slot);
          if (!bar) { bar = bars.create(Number(p.total) || 1, 0, payload); active.set(slot, bar); }
          bar.setTotal(Number(p.total) || 1);
          bar.update(Number(p.done), payload);
        } else if (!output.json) {
          const step = `epoch ${e.value.epoch}: ${p.stage.replace(/ \(replica .*\)$/, '')}`;
          if (printedStep.get(slot) !== step) {
            printedStep.set(slot, step);
            output.info(`  ${step}…`);
          }
        }
      }
    }
  } finally {
    clearBars();
    bars?.stop();
  }
  return { finalState: last?.state ?? RunState.RUN_STATE_UNSPECIFIED, reason: last?.reason ?? '', epochs };
}
