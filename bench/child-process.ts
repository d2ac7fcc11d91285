/**
 * What a measuring child process of the bench shares (bench/cell.ts, bench/simulate/child.ts):
 * its argument, its report to the parent over IPC (or on stdout when run by hand), its end.
 */
export type ChildReport<Result> =
  | { readonly ok: true; readonly result: Result }
  | { readonly ok: false; readonly error: string };

function send<Result>(report: ChildReport<Result>): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) {
      // Run by hand: print instead of IPC.
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      resolve();
      return;
    }
    process.send(report, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

/** Parses the JSON argument, runs `measure` on it and reports its result or its error to the parent. */
export async function runChild<Request, Result>(
  usage: string,
  measure: (request: Request) => Promise<Result>,
): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? "null") as Request | null;
  if (request === null) {
    process.stderr.write(`usage: ${usage}\n`);
    process.exit(2);
  }
  try {
    await send<Result>({ ok: true, result: await measure(request) });
  } catch (error) {
    await send<Result>({
      ok: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    process.exitCode = 1;
  }
  // The IPC channel would keep this process alive.
  process.disconnect?.();
}
