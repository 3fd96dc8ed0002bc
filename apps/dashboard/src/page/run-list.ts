// The run list: name, state and epochs, newest first; the selected run is marked aria-current.
import type { RunSummary } from '../view/runs';
import { el } from './dom';

export function renderRunList(list: HTMLUListElement, runs: RunSummary[], selected: string | undefined, select: (runId: string) => void) {
  list.replaceChildren(
    ...runs.map((run) => {
      const epochs = run.epochsDone < 0 ? 'no epochs yet' : `epoch ${run.epochsDone}${run.epochsPlanned ? ` / ${run.epochsPlanned}` : ''}`;
      const button = el(
        'button',
        { attrs: { type: 'button', 'data-run-id': run.runId, 'aria-current': String(run.runId === selected) } },
        el('span', { className: 'run-name', text: run.name || run.runId }),
        el('span', { className: 'run-line' }, el('span', { className: 'state', text: run.state, attrs: { 'data-state': run.state } }), document.createTextNode(` · ${epochs}`)),
        el('span', { className: 'run-line', text: [run.dataset, run.architecture, run.runId].filter(Boolean).join(' · ') }),
      );
      button.addEventListener('click', () => select(run.runId));
      return el('li', {}, button);
    }),
  );
}
