import type { CloudFinding } from "../provider.js";

/**
 * Objects a cloud returned that segsync cannot model (a missing id, a shape no documented API
 * returns). One such object is a finding about that object: the read goes on without it, and the
 * rest of its region, subscription or project is enforced (docs/trust-model.md, "Native objects").
 * Each SDK adapter keeps one; discovery takes what it collected after its reads.
 */
export class UnreadableObjects {
  private found: CloudFinding[] = [];

  constructor(private readonly code: string) {}

  /** Each item modelled; one whose model throws is left out and reported as `what` it is. */
  modelEach<S, T>(items: readonly S[], model: (item: S) => T, describe: (item: S) => string): T[] {
    const result: T[] = [];
    for (const item of items) {
      try {
        result.push(model(item));
      } catch (error) {
        this.report(describe(item), error);
      }
    }
    return result;
  }

  report(subject: string, error: unknown): void {
    const why = error instanceof Error ? error.message : String(error);
    this.found.push({
      code: this.code,
      severity: "warning",
      subject,
      message: `${subject}: left out of this read, segsync cannot model it (${why}); everything else is enforced`,
    });
  }

  /** What was collected since the last take, and forgets it. */
  take(): CloudFinding[] {
    const taken = this.found;
    this.found = [];
    return taken;
  }
}
