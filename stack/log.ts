export type Logger = {
  step(message: string): void;
  ok(message: string): void;
  info(message: string): void;
  warn(message: string): void;
};

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);

export const consoleLogger: Logger = {
  step: (message) => console.log(`${paint(36, "›")} ${message}`),
  ok: (message) => console.log(`${paint(32, "✔")} ${message}`),
  info: (message) => console.log(`  ${message}`),
  warn: (message) => console.log(`${paint(33, "!")} ${message}`),
};

/** An error whose message says what went wrong and `fix` says what to do; the CLI prints both. */
export class StackError extends Error {
  readonly fix: string | undefined;
  readonly details: string | undefined;
  constructor(message: string, options: { fix?: string; details?: string } = {}) {
    super(message);
    this.name = "StackError";
    this.fix = options.fix;
    this.details = options.details;
  }
}

export function formatError(error: unknown): string {
  if (error instanceof StackError) {
    const parts = [`${paint(31, "✖")} ${error.message}`];
    if (error.details) parts.push(error.details);
    if (error.fix) parts.push(`${paint(33, "fix:")} ${error.fix}`);
    return parts.join("\n");
  }
  const err = error as Error;
  return `${paint(31, "✖")} ${err?.stack ?? String(error)}`;
}
