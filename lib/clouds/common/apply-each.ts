/**
 * Runs a plan's operations in order. A failure that retrying cannot help and that concerns one
 * object (it is gone, the cloud refuses that request, a quota or a dependency of that object) is
 * that operation's: reported through onRefused, and the plan goes on, so that one odd object never
 * stops another workload's enforcement (docs/trust-model.md). Any other failure (throttling, a
 * stale version, an outage) stops the plan and is rethrown: the next reconcile starts from there.
 */
export interface ApplyHooks<Operation> {
  readonly onApplied: (operation: Operation) => void;
  /** Absent: every failure stops the plan. */
  readonly onRefused?: (operation: Operation, error: unknown) => void;
}

/** An operation skipped because an earlier one it needs was refused. */
export class DependsOnRefusedError extends Error {
  override readonly name = "DependsOnRefusedError";
}

export async function applyEach<Operation>(
  operations: readonly Operation[],
  run: (operation: Operation) => Promise<void>,
  hooks: ApplyHooks<Operation>,
  refusesOne: (error: unknown) => boolean,
): Promise<void> {
  for (const operation of operations) {
    try {
      await run(operation);
    } catch (error) {
      const oneObject = error instanceof DependsOnRefusedError || refusesOne(error);
      if (hooks.onRefused === undefined || !oneObject) throw error;
      hooks.onRefused(operation, error);
      continue;
    }
    hooks.onApplied(operation);
  }
}
