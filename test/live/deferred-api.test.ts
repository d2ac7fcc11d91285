import { describe, expect, it } from "vitest";
import { type CallsOf, deferredApi } from "../../lib/live/deferred-api.js";

/** A port in the shape of the Azure and GCP ones: a place field, takeUnreadable, and calls. */
interface Port {
  readonly project: string;
  takeUnreadable(): string[];
  list(): Promise<string[]>;
  put(name: string, value: number): Promise<string>;
}

const CALLS: Readonly<Record<CallsOf<Port>, true>> = { list: true, put: true };

/** A real port that counts on `this`, as the SDK adapters' classes do. */
class Real implements Port {
  readonly project = "real";
  readonly #unreadable = ["left out"];
  readonly puts: string[] = [];
  takeUnreadable() {
    return this.#unreadable.splice(0);
  }
  async list() {
    return [...this.puts];
  }
  async put(name: string, value: number) {
    this.puts.push(`${name}=${value}`);
    return name;
  }
}

describe("deferredApi", () => {
  it("loads on the first call, forwards each call with its arguments to the loaded port, and keeps the place fields", async () => {
    const real = new Real();
    let loads = 0;
    const api = deferredApi<Port>(
      { project: "shop-prod" },
      async () => {
        loads += 1;
        return real;
      },
      CALLS,
    );
    expect(api.project).toBe("shop-prod");
    expect(loads).toBe(0);
    expect(api.takeUnreadable()).toEqual([]);
    expect(await api.put("a", 1)).toBe("a");
    expect(await api.list()).toEqual(["a=1"]);
    expect(api.takeUnreadable()).toEqual(["left out"]);
    expect(loads).toBe(2);
  });

  it("fails a call whose load fails, and loads again on the next call", async () => {
    let attempts = 0;
    const api = deferredApi<Port>(
      { project: "shop-prod" },
      async () => {
        attempts += 1;
        if (attempts === 1) throw new Error("no credential yet");
        return new Real();
      },
      CALLS,
    );
    await expect(api.list()).rejects.toThrow("no credential yet");
    expect(await api.list()).toEqual([]);
  });
});
