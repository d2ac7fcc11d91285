import { createInterface } from "node:readline/promises";

/** Where commands write, so that tests can capture it; text is written as is (commands add newlines). */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Colour on stdout: only on a terminal, and never when NO_COLOR is set. */
  readonly color?: boolean;
  /** Is there a person to ask (stdin and stdout are terminals)? */
  readonly interactive?: boolean;
  /** Asks a question and returns the answer (only when interactive). */
  readonly ask?: (question: string) => Promise<string>;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  get color() {
    return Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined;
  },
  get interactive() {
    return Boolean(process.stdin.isTTY && process.stdout.isTTY);
  },
  ask: async (question) => {
    const readline = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return await readline.question(question);
    } finally {
      readline.close();
    }
  },
};

/** What a command needs from the program: its output, and a way to set the exit code. */
export interface CommandContext {
  readonly io: CliIo;
  exitWith(code: number): void;
}
