// Small DOM helpers. Text only ever goes in through textContent: run names and reasons are user input.

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`page is missing #${id}`);
  return element as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string; attrs?: Record<string, string> } = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className) element.className = props.className;
  if (props.text !== undefined) element.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** Sets a <select>'s options to `values` (newest last), keeping the choice when it still exists,
 *  else choosing the last. Returns the chosen value. */
export function syncSelect(select: HTMLSelectElement, values: number[]): number | undefined {
  const previous = select.value;
  const wanted = values.map(String);
  const current = Array.from(select.options, (option) => option.value);
  if (wanted.join() !== current.join()) {
    const followLatest = previous === '' || previous === current[current.length - 1];
    select.replaceChildren(...wanted.map((value) => el('option', { text: value, attrs: { value } })));
    select.value = followLatest || !wanted.includes(previous) ? (wanted[wanted.length - 1] ?? '') : previous;
  }
  return select.value === '' ? undefined : Number(select.value);
}

export function percent(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(1)} %`;
}

/** Canvas colours follow the page's CSS variables (light or dark). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
