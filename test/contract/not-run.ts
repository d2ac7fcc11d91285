/**
 * The cases of a contract that an implementation cannot run (recorded responses cannot be written
 * to, moto lacks some of EC2's checks, only the simulator throttles on demand, …). They are not
 * registered as skipped tests: each implementation gets one test that names how many cases it
 * does not run and why, and fails when it declares a reason for a need no case has any more (a gap
 * list gone stale hides nothing then).
 */
import { describe, expect, it } from "vitest";

interface RunnableCase {
  readonly title: string;
  readonly run: () => unknown;
  readonly timeout: number | undefined;
}

export class NotRun {
  private readonly notRun: { readonly title: string; readonly reason: string }[] = [];
  /** Every reason some case gave, the first of a case's reasons or not. */
  private readonly needed = new Set<string>();
  /** The runnable cases of the group being collected. */
  private collecting: RunnableCase[] | undefined;

  /** `declared`: every reason the implementation gives for a case it cannot run. */
  constructor(
    private readonly implementation: string,
    private readonly declared: readonly (string | undefined)[],
  ) {}

  /**
   * `it(title, run)`, or, with a reason, the case left out and counted by report(). A case with
   * several needs gives the implementation's reason for each (undefined: it meets that need); the
   * first one shown.
   */
  case(
    reasons: string | undefined | readonly (string | undefined)[],
    title: string,
    run: () => unknown,
    timeout?: number,
  ): void {
    const given = (typeof reasons === "string" || reasons === undefined ? [reasons] : reasons).filter(
      (reason): reason is string => reason !== undefined,
    );
    for (const reason of given) this.needed.add(reason);
    const reason = given[0];
    if (reason !== undefined) this.notRun.push({ title, reason });
    else if (this.collecting !== undefined) this.collecting.push({ title, run, timeout });
    else it(title, run, timeout);
  }

  /**
   * `describe(title, register)`, but only when one of its cases runs: vitest refuses an empty
   * suite. `register` is called at once, so that report() counts its cases.
   */
  group(title: string, register: () => void): void {
    if (this.collecting !== undefined) throw new Error(`group "${title}" inside another group`);
    const cases: RunnableCase[] = [];
    this.collecting = cases;
    try {
      register();
    } finally {
      this.collecting = undefined;
    }
    if (cases.length === 0) return;
    describe(title, () => {
      for (const { title: caseTitle, run, timeout } of cases) it(caseTitle, run, timeout);
    });
  }

  /** The test of what is not run; call it after every case and group is registered. */
  report(): void {
    const reasons = [...new Set(this.notRun.map((entry) => entry.reason))];
    const counts = reasons.map(
      (reason) => `${this.notRun.filter((entry) => entry.reason === reason).length} × ${reason}`,
    );
    const title =
      this.notRun.length === 0
        ? `${this.implementation} runs every case of the contract`
        : `${this.implementation} does not run ${this.notRun.length} cases: ${counts.join("; ")}`;
    it(title, () => {
      const stale = this.declared.filter((reason) => reason !== undefined && !this.needed.has(reason));
      expect(stale, "reasons declared for cases that no case needs").toEqual([]);
    });
  }
}
