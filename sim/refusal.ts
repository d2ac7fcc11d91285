/**
 * When a simulated cloud refuses an estate or a scenario step: the simulators' own errors (a
 * SimulationInputError for what could not exist, the cloud's API error for what the cloud would
 * refuse) become one error that names where in the document the cause is.
 */
import { CloudApiError } from "../lib/clouds/common/errors.js";
import type { PathSegment } from "../lib/util/source-issues.js";
import { SimulationInputError } from "./clouds/common/simulation-input-error.js";

/** The simulated cloud would not hold this: `path` is where the estate or scenario says it. */
export class SimulationRefusedError extends Error {
  constructor(
    message: string,
    readonly path: readonly PathSegment[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Whether a simulator refused (rather than failed): a mistake in the input, not in segsync. */
export function isRefusal(error: unknown): error is Error {
  // Every simulator fails with the shared input error or its cloud's API error (a CloudApiError).
  return error instanceof SimulationInputError || error instanceof CloudApiError;
}

/** Runs a simulator control; a refusal becomes a SimulationRefusedError at `path`. */
export function refusedAt<T>(path: readonly PathSegment[], run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof SimulationRefusedError || !isRefusal(error)) throw error;
    throw new SimulationRefusedError(error.message, path, { cause: error });
  }
}
