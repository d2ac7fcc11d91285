/** Where commands write, so that tests can capture it; text is written as is (commands add newlines). */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** What a command needs from the program: its output, and a way to set the exit code. */
export interface CommandContext {
  readonly io: CliIo;
  exitWith(code: number): void;
}
