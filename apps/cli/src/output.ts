/** Human text or machine JSON: every command prints through one of these, chosen by --json. */
export interface Output {
  json: boolean;
  /** A result: as JSON (one document or NDJSON line) with --json, else as text. */
  result(value: unknown, text: () => string): void;
  /** Human-only chatter (to stderr with --json, so stdout stays parseable). */
  info(message: string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    result: (value, text) => process.stdout.write(json ? JSON.stringify(value) + '\n' : text() + '\n'),
    info: (message) => (json ? process.stderr : process.stdout).write(message + '\n'),
  };
}

/** 0.9512 → "0.951", null → "—". */
export const fixed = (value: number | null | undefined, digits = 3) => (value === null || value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits));
