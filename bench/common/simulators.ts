/**
 * One simulator per location of a cloud (an AWS account and region, an Azure subscription, a GCP
 * project), their state as materialize and diff read it, and the write calls they log: the base
 * of each cloud's simulators (which add how a change is played). A location's state() is re-read
 * only when something touched it (a simulation control, or a write): the simulators' state()
 * copies, and sometimes scans, everything they hold.
 */
import { compareText } from "../../lib/util/compare-text.js";

/** What every simulator offers: its state, and a log of the calls made to it. */
export interface LoggingSimulator<State> {
  state(): State;
  readonly calls: readonly { readonly method: string }[];
  clearCalls(): void;
}

export class SimulatorFleet<Sim extends LoggingSimulator<State>, State> {
  private readonly sims = new Map<string, Sim>();
  private readonly states = new Map<string, State>();
  private readonly stale = new Set<string>();
  /** Per location: how many of its logged calls state() has looked at for writes. */
  private readonly callsSeen = new Map<string, number>();

  /** `writeMethods`: the calls that change the cloud (AWS_WRITE_METHODS, …). */
  constructor(private readonly writeMethods: ReadonlySet<string>) {}

  /** A simulator loaded from `state`, which is its state() as of now. */
  protected load(key: string, sim: Sim, state: State): void {
    this.sims.set(key, sim);
    this.states.set(key, state);
  }

  /** The location's simulator; one that does not exist yet is made by `create` (and read on the next state()). */
  protected simulator(key: string, create: () => Sim): Sim {
    let sim = this.sims.get(key);
    if (!sim) {
      sim = create();
      this.sims.set(key, sim);
      this.stale.add(key);
    }
    return sim;
  }

  /** Something changed the location outside the logged calls (a simulation control). */
  protected touch(key: string): void {
    this.stale.add(key);
  }

  /** Every location's state, by key; the ones touched or written since the last call are re-read. */
  state(): State[] {
    for (const [key, sim] of this.sims) {
      const calls = sim.calls;
      for (let index = this.callsSeen.get(key) ?? 0; index < calls.length; index++) {
        const method = calls[index]?.method;
        if (method !== undefined && this.writeMethods.has(method)) this.stale.add(key);
      }
      this.callsSeen.set(key, calls.length);
    }
    for (const key of this.stale) {
      const sim = this.sims.get(key);
      if (sim) this.states.set(key, sim.state());
    }
    this.stale.clear();
    return [...this.states.entries()].sort(([a], [b]) => compareText(a, b)).map(([, state]) => state);
  }

  /** Forgets the calls logged so far; the locations they wrote to are re-read first. */
  clearCalls(): void {
    this.writes();
    for (const sim of this.sims.values()) sim.clearCalls();
    this.callsSeen.clear();
  }

  /** Write calls logged since clearCalls, by method; the locations they went to become stale. */
  writes(): Map<string, number> {
    const byMethod = new Map<string, number>();
    for (const [key, sim] of this.sims) {
      for (const call of sim.calls) {
        if (!this.writeMethods.has(call.method)) continue;
        byMethod.set(call.method, (byMethod.get(call.method) ?? 0) + 1);
        this.stale.add(key);
      }
    }
    return byMethod;
  }
}
