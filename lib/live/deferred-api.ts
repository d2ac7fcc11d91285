/**
 * Cloud ports whose implementation is built on their first call. The connections hand out APIs
 * synchronously, but building the real one can take an import (the Azure SDK is about a second
 * of a cold CLI run, the GCP SDK more) or a call (a credential kept in Secrets Manager): a run
 * that never reads that cloud pays for neither. A failed build is not kept: the next call retries.
 */

/** `build` once, shared by every caller, forgotten if it fails. */
export function once<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/** The names of a port's calls: its methods that return a promise. */
export type CallsOf<Api> = {
  [K in keyof Api]: Api[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof Api];

/** A cloud API port that reports what its reads left out (the Azure and GCP ports). */
interface Port {
  takeUnreadable(): unknown[];
}

/**
 * The port whose calls each wait for `load` and go to what it gives; `place` holds its other
 * fields (the subscription, the project). `calls` names every call, so a call added to the port
 * and not here does not compile. takeUnreadable asks the loaded port, and nothing before.
 */
export function deferredApi<Api extends Port>(
  place: Omit<Api, CallsOf<Api> | "takeUnreadable">,
  load: () => Promise<Api>,
  calls: Readonly<Record<CallsOf<Api>, true>>,
): Api {
  let loaded: Api | undefined;
  const remember = async () => {
    loaded = await load();
    return loaded;
  };
  const forwarded = Object.keys(calls).map((name) => [
    name,
    async (...args: unknown[]) => {
      const api = await remember();
      return Reflect.apply(api[name as keyof Api] as (...args: unknown[]) => unknown, api, args);
    },
  ]);
  return {
    ...place,
    takeUnreadable: () => loaded?.takeUnreadable() ?? [],
    ...Object.fromEntries(forwarded),
  } as Api;
}
